"""The API's routers, one module per resource; each is a thin layer over service/ functions."""
