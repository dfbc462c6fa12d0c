"""Turkish translations, keyed by the English text (placeholders in {braces} kept as they are)."""

TR: dict[str, str] = {
}
