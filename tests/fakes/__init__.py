"""Fakes of the outside world for the tests: the Telegram Bot API (``telegram``) and a model-free embedder."""
