"""In-app notifications (站内消息), and e-mail copies of them when the server has a mail host."""
