"""Case documents and the 公示 (public notice): Word from office-replaceable templates, PDF."""
