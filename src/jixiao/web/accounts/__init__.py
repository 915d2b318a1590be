"""The administrator's pages of organisations and users (单位和用户管理), and everybody's password page."""
