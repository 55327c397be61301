"""The trainee's evidence: items and versions, forms, files, who sees them, and sufficiency."""
