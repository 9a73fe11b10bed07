"""民主评议 (democratic review): the community panel, its meetings, attendance, votes per case."""
