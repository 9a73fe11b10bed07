class ComplexityValidator:
    def validate(self, password, user=None):  # type: ignore[no-untyped-def]
        return None


class ContextWordsValidator(ComplexityValidator):
    pass
