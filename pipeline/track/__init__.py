"""The progress loop: 台账 workbook out (`workbook`), filled workbooks in (`ingest`), the status engine
(`status`), progress history (`history`) and the 通报 (`bulletin`). Settings: `config` (track.toml)."""
