"""Deterministic synthetic agency files for jembatan.

``sample_data.generate.generate(out_dir, seed)`` writes an inbox of messy
agency spreadsheets (BPS, Dinas Koperasi dan UKM, Polda/Polres), the two
Kemendagri gazetteer versions, the BPS-Kemendagri bridging table, and the
ground truth the pipeline must reproduce.  All place names are invented.
"""
