"""The language server (`delaynote lsp`): pure features in `features`, the pygls wiring in `server`."""
