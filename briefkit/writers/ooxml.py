"""The OOXML python-docx cannot write, as one facade over python-docx's two lower layers.

``oxml`` is the element layer (children inserted in schema order with python-docx's own successor
lists, fields, bookmarks, hyperlinks, table and list properties); ``package`` is the package layer
(footnotes part, styles part from the template, embedded fonts, properties, the reproducible zip).
The DOCX writer calls them through this module, so either can change without touching the writer.
"""
from __future__ import annotations

from .oxml import (add_bookmark, add_field, add_noteref, add_text_run, align_end, allow_split, begin_field,
                   bidi_everywhere, bookmark_run, clear_paragraph, end_field, new_paragraph, new_run,
                   new_table, restart_numbering, set_bidi, set_bullet_glyph, set_cell_top_rule,
                   set_cell_valign, set_document_defaults, set_fonts, set_number_format, set_numbering,
                   set_outline_level, set_page_number_format, set_paragraph_style, set_run_bold,
                   set_run_italic, set_run_rtl, set_run_style, set_section_bidi, set_table_caption,
                   shade_cell, style_num_id, style_paragraph, tab_at_end, wrap_in_hyperlink)
from .package import (add_picture, configure_settings, CORE_MAX, drop_package_extras, embed_fonts, font_key,
                      Footnotes, load_styles, obfuscate, save_reproducible, set_app_properties,
                      set_core_properties, ZIP_TIME)

__all__ = [
    "add_bookmark", "add_field", "add_noteref", "add_picture", "add_text_run", "align_end", "allow_split",
    "begin_field", "bidi_everywhere", "bookmark_run", "clear_paragraph", "configure_settings", "CORE_MAX",
    "drop_package_extras", "embed_fonts", "end_field", "font_key", "Footnotes", "load_styles",
    "new_paragraph", "new_run", "new_table", "obfuscate", "restart_numbering", "save_reproducible",
    "set_app_properties", "set_bidi", "set_bullet_glyph", "set_cell_top_rule", "set_cell_valign",
    "set_core_properties", "set_document_defaults", "set_fonts", "set_number_format", "set_numbering",
    "set_outline_level", "set_page_number_format", "set_paragraph_style", "set_run_bold", "set_run_italic",
    "set_run_rtl", "set_run_style", "set_section_bidi", "set_table_caption", "shade_cell", "style_num_id",
    "style_paragraph", "tab_at_end", "wrap_in_hyperlink", "ZIP_TIME",
]
