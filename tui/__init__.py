"""briefing's terminal front end: the CLI entry point and the Textual reader."""
