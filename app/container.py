"""The composition root: builds the database, the services and (later) the devices, once.

Nothing here runs at import time; ``Container.open`` is called by the GUI's and the CLI's
``main`` and by tests, each with its own data folder or URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from app.audit.log import AuditLogService
from app.audit.service import AuditService
from app.auth import Actor, cli_actor
from app.demo.service import DemoService
from app.devices.factory import Devices
from app.documents.printing import PrintingService
from app.errors import BusyError
from app.paths import DB_FILE, default_data_dir
from app.review.reference import ReferenceService
from app.review.service import ReviewService, WaiverService
from app.roster.candidates import CandidateService, CandidateWriter
from app.roster.service import RosterService
from app.settings.service import SettingsService
from app.setup.service import SetupService
from app.station.capture import CaptureService
from app.station.media import MediaStore
from db.migrate import upgrade
from db.session import Database, sqlite_url

log = logging.getLogger(__name__)


@dataclass
class Container:
    db: Database
    data_dir: Path
    audit: AuditService
    setup: SetupService
    candidates: CandidateService
    roster: RosterService
    demo: DemoService
    audit_log: AuditLogService
    printing: PrintingService
    settings: SettingsService
    reference: ReferenceService
    review: ReviewService
    waivers: WaiverService
    capture: CaptureService
    backup_made: Path | None = None
    # Camera, fingerprint and ID-card drivers, chosen by the settings and made on first use.
    devices: Devices | None = None
    actor: Actor = field(default_factory=cli_actor)

    @classmethod
    def open(cls, data_dir: Path | None = None, url: str | None = None, *, migrate: bool = True) -> Container:
        """Open (creating if needed) the desk's database, back it up and upgrade it."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        if url is None:
            data_dir.mkdir(parents=True, exist_ok=True)
            url = sqlite_url(data_dir / DB_FILE)
        db = Database(url, busy_error=BusyError)
        backup = upgrade(db.engine) if migrate else None
        if backup:
            log.info("database backed up to %s before upgrading", backup)
        audit = AuditService()
        # Every change to a candidate goes through this one writer (its hooks see them all).
        writer = CandidateWriter(audit)
        setup, settings = SetupService(db, audit), SettingsService(db, audit)
        printing, reference = PrintingService(db, audit), ReferenceService(db, audit)
        review = ReviewService(db, audit, writer)
        # The demo writes its sample files beside its own database only (not beside a --db URL's).
        demo = DemoService(db, audit, setup, settings=settings, reference=reference, review=review,
                           printing=printing, folder=data_dir if db.sqlite_path is not None else None)
        c = cls(db=db, data_dir=data_dir, audit=audit, setup=setup,
                candidates=CandidateService(db, audit, writer), roster=RosterService(db, audit, writer),
                backup_made=backup,
                demo=demo, audit_log=AuditLogService(db), printing=printing,
                settings=settings, reference=reference, review=review, waivers=WaiverService(db, audit, writer),
                capture=CaptureService(db, audit, MediaStore(data_dir / "media")))
        c.devices = Devices(c.settings.get)
        info = c.setup.info()
        if info:
            audit.desk_uuid, audit.desk_name = info.desk_uuid, info.desk_name
        return c

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def printed_dir(self) -> Path:
        """Where the PDFs sent to the printer are kept (made when first printed to)."""
        return self.data_dir / "printed"

    def close(self) -> None:
        if self.devices is not None:
            self.devices.close()
        self.db.dispose()
