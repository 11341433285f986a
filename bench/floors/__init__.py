"""Floor apps: the least this stack (Strawberry, Starlette, uvicorn, SQLAlchemy async) can do.

Each runs as `python -m bench.floors.NAME --port P` and answers GET /health, like the project.
"""
