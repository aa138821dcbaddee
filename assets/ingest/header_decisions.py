"""The header -> field decisions taken for one located table (layout.py), with their evidence
(decisions.py): every column read and the field it was read as; a column read by a close match of its
header; a column whose header names a field plus a word making it another measure ("Jumlah Penduduk
Miskin": the number of poor people), not read as that field."""
from __future__ import annotations

from assets.ingest.decisions import Decision
from assets.ingest.layout import TableLayout
from assets.ingest.formats.sheet import RawSheet, column_letter


def _label_id(layout: TableLayout, name: str) -> str:
    """A field as the agency calls it: its first Indonesian header ("jumlah penduduk")."""
    aliases = layout.dataset.column(name).aliases
    return aliases[0].lower() if aliases else name


def header_decisions(sheet: RawSheet, layout: TableLayout) -> list[Decision]:
    base = dict(sheet=sheet.name, dataset=layout.dataset.name, row=sheet.excel_row(layout.header_rows[-1]))
    letter = {c: column_letter(sheet.first_col + c) for c in layout.headers}
    out = []
    for c, (name, word) in layout.declined.items():
        header = layout.headers[c]
        out.append(Decision(
            "header", value=f"Column '{header}' not read as {name}",
            value_id=f"Kolom '{header}' tidak dibaca sebagai {_label_id(layout, name)}",
            evidence=f"'{word}' makes it another measure (the poor, households, a share, a rate, growth, one sex), "
                     f"not the {name} its other words name",
            evidence_id=f"'{word}' menjadikannya ukuran lain (penduduk miskin, KK, persentase, rasio, pertumbuhan, "
                        f"satu jenis kelamin), bukan {_label_id(layout, name)}",
            column=letter[c], header=header, field=name, **base))
    for c in layout.loose:
        name, header = layout.columns[c], layout.headers[c]
        out.append(Decision(
            "header", value=f"{letter[c]} '{header}' read as {name}",
            value_id=f"{letter[c]} '{header}' dibaca sebagai {_label_id(layout, name)}",
            evidence="its header names the field only loosely (a phrase inside it, or a close spelling)",
            evidence_id="judulnya hanya mirip dengan nama isian (memuat frasanya, atau ejaannya mirip)",
            column=letter[c], header=header, field=name, **base))
    exact = [c for c in layout.columns if c not in layout.loose]
    if exact:
        shown = ", ".join(f"{letter[c]} '{layout.headers[c]}' -> {layout.columns[c]}" for c in exact)
        out.append(Decision("header", value=shown, value_id=shown,
                            evidence=f"each header names its field as the {layout.dataset.name} schema lists it",
                            evidence_id=f"setiap judul kolom menyebut isiannya seperti tercantum di skema "
                                        f"{layout.dataset.name}", **base))
    return out
