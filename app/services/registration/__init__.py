"""GPhC registration, Level 3 qualifications and revalidation, with their date rules."""
