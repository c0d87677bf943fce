"""Reading input: safe YAML with line numbers, scenarios and overrides, validation messages."""
