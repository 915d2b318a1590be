"""Benchmark: `jixiao check --jobs N` end to end on a mixed corpus, and its memory on many text forms.

Builds (once, cached under --corpus) a corpus of forms in the province's mix: 40% docx, 30% xlsx,
20% pdf, 10% html, 11 forms per file. Every form's year-end values are varied (bench/check.py's
`vary`: executed funds, actuals, scores), so no cache of parsed values or detected profiles makes
the run trivial. .html files are written from the varied forms; .docx and .xlsx are written once
from the varied seed and their numbers varied again per copy in the XML (each copy differs); PDFs
are slow to write (a font subset per file), so --pdf-pool distinct PDFs are written and reused.
Then it runs the command line as a user would (output to /dev/null) and prints wall time, CPU time
(the command and its workers; the parent's own share sampled), forms per second, peak memory (the
largest process, and the sum over the process tree sampled every 0.2 s) and the load average. Also:
peak memory at each of --text-forms sizes of the seed's text format (two or more sizes show whether
it grows with the count), --jobs 1 against --jobs 2 on bench/check.py's corpus, and one 506-page PDF.
Usage: python bench/batch.py [--forms 5000] [--text-forms 50000 200000] [--jobs 2] [--corpus DIR]
       [--skip mixed,text,scaling,pdf]
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import check as check_bench
from machine_info import describe

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
MIX = (("docx", 0.4), ("xlsx", 0.3), ("pdf", 0.2), ("html", 0.1))
PER_FILE = 11
NUMBER_TEXT = re.compile(r"(?<=>)(\d{1,4})(\.\d{1,2})?(%?)(?=<)")


def varied_forms(rng: random.Random) -> list:
    from jixiao.formats import layout, text

    rows = text.parse_rows(check_bench.seed_text())
    return layout.recognise(text.read(check_bench.vary(rows, rng).encode("utf-8"), "seed.txt"))


def _move_numbers(xml: str, rng: random.Random) -> str:
    """Numbers shown in cells moved by a few per cent, decimals kept."""

    def move(m: re.Match[str]) -> str:
        whole, frac, pct = m.group(1), m.group(2) or "", m.group(3)
        places = len(frac) - 1 if frac else 0
        value = float(whole + frac) * rng.uniform(0.9, 1.05)
        return f"{value:.{places}f}{pct}"

    return NUMBER_TEXT.sub(move, xml)


def _vary_zip(data: bytes, parts: tuple[str, ...], rng: random.Random) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename.startswith(parts) and info.filename.endswith(".xml"):
                content = _move_numbers(content.decode("utf-8"), rng).encode("utf-8")
            zout.writestr(info, content)
    return out.getvalue()


def build_corpus(where: Path, forms: int, pdf_pool: int, seed: int = 1) -> dict[str, int]:
    """Files of the mix holding at least `forms` forms; how many files of each format."""
    from jixiao.reports import write_forms

    rng = random.Random(seed)
    counts = {fmt: max(1, round(forms * share / PER_FILE)) for fmt, share in MIX}
    marker = where / f".complete-{forms}-{pdf_pool}"
    if marker.exists():
        return counts
    where.mkdir(parents=True, exist_ok=True)
    pool = where / "pool"
    pool.mkdir(exist_ok=True)
    bases: dict[str, bytes] = {}
    for fmt in ("docx", "xlsx"):
        base = pool / f"base.{fmt}"
        if not base.exists():
            write_forms(varied_forms(rng), base)
        bases[fmt] = base.read_bytes()
    pdfs = []
    for n in range(pdf_pool):
        path = pool / f"pool{n:02d}.pdf"
        if not path.exists():
            write_forms(varied_forms(rng), path)
        pdfs.append(path.read_bytes())
    for fmt, count in counts.items():
        folder = where / fmt
        folder.mkdir(exist_ok=True)
        for n in range(count):
            path = folder / f"{n:05d}.{fmt}"
            if path.exists():
                continue
            if fmt == "html":
                write_forms(varied_forms(rng), path)
            elif fmt == "pdf":
                path.write_bytes(pdfs[n % len(pdfs)])
            else:
                parts = ("word/",) if fmt == "docx" else ("xl/worksheets/", "xl/sharedStrings")
                path.write_bytes(_vary_zip(bases[fmt], parts, rng))
    marker.touch()
    return counts


def build_text_corpus(where: Path, forms: int) -> int:
    where.mkdir(parents=True, exist_ok=True)
    documents = check_bench.corpus(forms, 1)
    for n, data in enumerate(documents):
        path = where / f"doc{n:05d}.txt"
        if not path.exists():
            path.write_bytes(data)
    return len(documents)


# ---------------------------------------------------------------------------------------------
# Running the command line and measuring it


def _tree_rss(root: int) -> tuple[int, int, float]:
    """Resident bytes of a process and all its descendants, the largest high-water mark among them
    (VmHWM: counted from each one's exec, so this benchmark's own size never shows in it), and the
    process's own CPU seconds (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    own_cpu = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        if pid == root:
            own_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        largest = max(largest, _high_water(pid))
        todo.extend(children.get(pid, []))
    return total, largest, own_cpu


def _high_water(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_cli(args: list[str]) -> dict[str, float]:
    """Wall and CPU seconds (all, and the parent's own as last sampled), peak resident memory of the
    largest process and of the tree, the load average before and after, exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    peak, largest, parent_cpu = 0, 0, 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest, parent_cpu
        while not done.is_set():
            rss, high, own = _tree_rss(proc.pid)
            peak, largest, parent_cpu = max(peak, rss), max(largest, high), max(parent_cpu, own)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4: this command's own usage with its workers' (RUSAGE_CHILDREN would keep the largest
    # process of every earlier run as well). Its ru_maxrss is not used: a child's starts from the
    # size of this process when it forked.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "parent_cpu": parent_cpu, "max_rss_mb": largest / 2**20,
            "tree_mb": peak / 1e6, "code": code, "load_before": load, "load_after": os.getloadavg()[0]}


def run_halves_at_once(files: list[Path]) -> dict[str, float]:
    """`--jobs 1` on each half of the files, the two commands at once: wall and CPU of both, with no
    pool at all. What the same work costs when two processes share the machine's cores bounds what
    `--jobs 2` can gain (on this VM, two processes at once each ran about 12% slower per form)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    half = len(files) // 2
    load = os.getloadavg()[0]
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "jixiao.cli", "check", *map(str, part), "--jobs", "1",
                               "--format", "jsonl"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
             for part in (files[:half], files[half:])]
    cpu = 0.0
    for proc in procs:
        _, _, usage = os.wait4(proc.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
    return {"wall": time.perf_counter() - start, "cpu": cpu, "load_before": load}


def report(label: str, forms: int, m: dict[str, float]) -> None:
    print(f"{label}: {forms:,} forms, {m['wall']:.1f} s wall, {m['cpu']:.1f} s CPU (the parent ≈ {m['parent_cpu']:.1f} s), "
          f"{forms / m['wall']:,.0f} forms/s wall ({forms / m['cpu']:,.0f} per CPU second); "
          f"peak memory {m['tree_mb']:.0f} MB over the process tree, {m['max_rss_mb']:.0f} MB the largest process"
          f" (exit {m['code']:.0f}; load average {m['load_before']:.1f} before, {m['load_after']:.1f} after)")
    sys.stdout.flush()


def big_pdf(where: Path, pages: int = 506) -> Path:
    """One PDF of `pages` pages: the seed's 21 pages over and over, then the rest from mof2020-a."""
    import pypdfium2 as pdfium

    path = where / f"big-{pages}.pdf"
    if path.exists():
        return path
    out = pdfium.PdfDocument.new()
    seed = pdfium.PdfDocument((SAMPLES / "seed.pdf").read_bytes())
    while len(out) + len(seed) <= pages:
        out.import_pages(seed)
    filler = pdfium.PdfDocument((SAMPLES / "mof2020-a.pdf").read_bytes())
    while len(out) < pages:
        out.import_pages(filler, [0])
    out.save(str(path))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, nargs="+", default=[5000], help="sizes of the mixed corpus")
    parser.add_argument("--text-forms", type=int, nargs="+", default=[50_000, 200_000],
                        help="sizes of the text corpus whose peak memory is compared")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pdf-pool", type=int, default=12, help="distinct PDFs written and reused")
    parser.add_argument("--corpus", default="/tmp/jixiao-bench-batch")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: mixed,text,scaling,pdf")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    root = Path(args.corpus)
    print(describe())
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    jsonl = ["--format", "jsonl"]
    if "mixed" not in skip:
        for forms in args.forms:
            where = root / f"mixed-{forms}"
            t = time.perf_counter()
            counts = build_corpus(where, forms, args.pdf_pool)
            files = sum(counts.values())
            print(f"mixed corpus: {files} files ({', '.join(f'{n} {fmt}' for fmt, n in counts.items())}), "
                  f"{files * PER_FILE:,} forms; built or found in {time.perf_counter() - t:.0f} s")
            m = run_cli(["check", *(str(where / fmt) for fmt, _ in MIX), "--jobs", str(args.jobs), *jsonl])
            report(f"jixiao check --jobs {args.jobs}, mixed", files * PER_FILE, m)
    if "text" not in skip:
        peaks = []
        for forms in args.text_forms:
            where = root / f"text-{forms}"
            documents = build_text_corpus(where, forms)
            m = run_cli(["check", str(where), "--jobs", str(args.jobs), *jsonl])
            report(f"jixiao check --jobs {args.jobs}, text", documents * PER_FILE, m)
            peaks.append((documents * PER_FILE, m))
        for (small, a), (large, b) in itertools.pairwise(peaks):
            grown = b["tree_mb"] - a["tree_mb"]
            print(f"peak memory from {small:,} to {large:,} text forms: {a['tree_mb']:.0f} → {b['tree_mb']:.0f} MB over "
                  f"the tree ({grown:+.0f} MB, {grown * 1e6 / (large - small):+.0f} bytes per added form); the largest "
                  f"process {a['max_rss_mb']:.0f} → {b['max_rss_mb']:.0f} MB")
    if "scaling" not in skip:
        where = root / "text-10000"
        documents = build_text_corpus(where, 10_000)
        one = run_cli(["check", str(where), "--jobs", "1", *jsonl])
        report("bench/check.py's corpus, --jobs 1", documents * PER_FILE, one)
        two = run_cli(["check", str(where), "--jobs", "2", *jsonl])
        report("bench/check.py's corpus, --jobs 2", documents * PER_FILE, two)
        print(f"--jobs 2 ÷ --jobs 1 throughput (wall): {one['wall'] / two['wall']:.2f}×; "
              f"CPU the two runs spent: {one['cpu']:.1f} s and {two['cpu']:.1f} s (its parent ≈ {two['parent_cpu']:.1f} s); "
              f"on two free cores the CPU figures allow {one['cpu'] / max(two['parent_cpu'], two['cpu'] / 2):.2f}× "
              f"(load average now {os.getloadavg()[0]:.2f})")
        halves = run_halves_at_once(sorted(where.iterdir()))
        print(f"the same work as two --jobs 1 commands at once, on half the files each: {halves['wall']:.1f} s wall, "
              f"{halves['cpu']:.1f} s CPU ({halves['cpu'] / one['cpu'] - 1:+.0%} over --jobs 1 alone, "
              f"no pool); --jobs 2 spent {two['cpu'] / one['cpu'] - 1:+.0%} (load average {halves['load_before']:.2f} before)")
    if "pdf" not in skip:
        path = big_pdf(root)
        m = run_cli(["check", str(path), "--jobs", "1", *jsonl])
        print(f"one PDF of 506 pages ({path.stat().st_size / 1e6:.1f} MB), jixiao check --jobs 1: "
              f"{m['wall']:.1f} s wall, {m['cpu']:.1f} s CPU, {506 / m['cpu']:.0f} pages per CPU second; "
              f"peak memory {m['max_rss_mb']:.0f} MB (exit {m['code']:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
