"""Casework rules without a framework: the procedures (workflows) of the programmes."""
