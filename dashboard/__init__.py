"""EnigmaPay dealer console: client, sandbox and the logic behind the pages."""
