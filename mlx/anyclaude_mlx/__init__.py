"""anyclaude's MLX server: OpenAI-compatible chat completions with prefix KV-cache reuse."""

__version__ = "0.1.0"
