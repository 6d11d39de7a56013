"""The Todo API: a FastAPI application served by uvicorn.

Start reading at ``main.py``, which builds the application and wires the routes; ``settings.py``
says which environment variables it reads.
"""
