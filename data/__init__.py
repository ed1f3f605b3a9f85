"""The catalog as data: fields and synonyms, validation rules, indicators, messages, samples."""
