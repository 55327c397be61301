"""The trainee's development on the pathway (CPPE PCPEP): the learning needs analysis
(`learning_needs`), the personal development plan's objectives and their reviews
(`objectives`), the pathway stages (`stages`), and who oversees them (`access`)."""
