"""Multi-source feedback rounds: nominating raters, their anonymous answers, the validity
rule and the released report."""
