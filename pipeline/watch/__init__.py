"""The drop folder: `plandoc watch INBOX`. See `service.run_watch` for the life of a dropped file."""
