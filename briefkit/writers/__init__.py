"""The writers: each turns a Report into bytes of one format."""
