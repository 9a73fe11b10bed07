"""`case_transitioned`: sent inside the transaction of every workflow step.

Apps above casework react to steps without casework knowing them: the
publicity app posts the notice on `start_publicity` and marks it objected on
`raise_objection`; a receiver that raises rolls the step back.
Arguments: case, action (name), from_state, actor, http_request.
"""

from __future__ import annotations

from django.dispatch import Signal

case_transitioned = Signal()
