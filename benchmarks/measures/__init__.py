"""One module per measure; each has run(ctx) that adds its figures to ctx.rows."""
