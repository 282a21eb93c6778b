"""Printed forms (附件1–4, 公示) as PDF and .xlsx, each page carrying its document ID and digest."""
