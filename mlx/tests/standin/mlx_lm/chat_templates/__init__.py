"""Stand-in of mlx_lm.chat_templates (tests only): Python chat templates chosen by tokenizer_config.json's
`chat_template_type`."""
