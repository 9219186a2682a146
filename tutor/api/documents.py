"""``/api/v1/documents``: upload notes, list and delete them, follow ingestion jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    ServiceUnavailableException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import FromPath
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_422_UNPROCESSABLE_ENTITY
from pydantic import BaseModel, ConfigDict, Field

from tutor.api.errors import error_responses
from tutor.auth.store import User
from tutor.ingest.errors import IngestError
from tutor.ingest.files import SourceFile, clean_path, shown_name
from tutor.ingest.jobs import IngestBusyError, IngestClosedError
from tutor.ingest.service import FileOutcome
from tutor.ingest.store import DocumentSummary
from tutor.resources import Resources


class Document(BaseModel):
    """A stored document."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a4f7c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b",
                    "path": "rust/ownership.md",
                    "kind": "notes",
                    "title": "Ownership",
                    "size_bytes": 5120,
                    "content_hash": "3f7a…",
                    "chunks": 12,
                    "embedded_chunks": 12,
                    "graph_synced": True,
                    "ready": True,
                    "created_at": "2026-01-05T09:30:00Z",
                    "updated_at": "2026-01-05T09:30:04Z",
                }
            ]
        }
    )

    id: UUID
    path: str
    kind: str = Field(description="`notes`, or `toc` for an mdBook SUMMARY.md")
    title: str
    size_bytes: int
    content_hash: str
    chunks: int
    embedded_chunks: int = Field(description="Chunks whose vectors are stored")
    graph_synced: bool
    ready: bool = Field(
        description="Every chunk has its vector and the graph reflects this version; "
        "false while it is being indexed"
    )
    created_at: datetime
    updated_at: datetime


class FileResult(BaseModel):
    """What happened, or is happening, to one uploaded file."""

    path: str
    status: str = Field(description="`queued`, `ingested`, `unchanged` or `failed`")
    error: str | None = None
    document_id: UUID | None = None
    chunks: int = 0
    concepts: int = 0


class IngestJob(BaseModel):
    """An upload being ingested in the background."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "status": "done",
                    "files": [
                        {
                            "path": "rust/ownership.md",
                            "status": "ingested",
                            "error": None,
                            "document_id": "9a4f7c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b",
                            "chunks": 12,
                            "concepts": 4,
                        }
                    ],
                    "files_total": 1,
                    "files_done": 1,
                    "chunks_total": 12,
                    "chunks_embedded": 12,
                    "cycles_broken": [],
                    "created_at": "2026-01-05T09:30:00Z",
                    "finished_at": "2026-01-05T09:30:04Z",
                }
            ]
        }
    )

    id: UUID
    status: str = Field(description="`queued`, `running`, `done` or `failed`")
    files: list[FileResult]
    files_total: int
    files_done: int
    chunks_total: int
    chunks_embedded: int
    cycles_broken: list[dict[str, Any]] = Field(
        description="Prerequisite edges removed to keep the graph acyclic"
    )
    created_at: datetime
    finished_at: datetime | None


class UploadAccepted(BaseModel):
    """The upload was accepted; follow its job."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "accepted": ["rust/ownership.md"],
                    "rejected": [
                        {
                            "path": "photo.png",
                            "status": "failed",
                            "error": "photo.png: only .md, .markdown and .txt files are accepted",
                            "document_id": None,
                            "chunks": 0,
                            "concepts": 0,
                        }
                    ],
                }
            ]
        }
    )

    job_id: UUID
    accepted: list[str]
    rejected: list[FileResult] = Field(description="Files refused at once, with the reason")


def _document(summary: DocumentSummary) -> Document:
    return Document.model_validate(summary, from_attributes=True)


class DocumentController(Controller):
    """The learner's notes."""

    path = "/api/v1"
    tags = ("documents",)

    @post(
        "/documents",
        status_code=HTTP_202_ACCEPTED,
        summary="Upload Markdown notes",
        request_body=RequestBody(
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties={
                            "files": Schema(
                                type=OpenAPIType.ARRAY,
                                items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                                min_items=1,
                            )
                        },
                        required=["files"],
                    )
                )
            },
            description="One or many `.md`, `.markdown` or `.txt` files, in any part names.",
            required=True,
        ),
        responses=error_responses(400, 401, 413, 422, 429),
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
    ) -> UploadAccepted:
        """Accept `.md`, `.markdown` and `.txt` files; ingest them in the background.

        Each file is checked at once (name, type, size, UTF-8, not binary, structural
        limits); refused files are listed with the reason, and a file the parser refuses
        later is marked failed in the job, with the reason. When every file is refused,
        the answer is 422; when the learner's earlier uploads still waiting for ingestion
        hold too many bytes, 429.
        """
        # The form is read here, after authentication, and an empty or non-multipart
        # body becomes a clear 400 rather than the framework's error.
        form = await request.form()
        data = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not data:
            raise ValidationException("no files in the upload: send them as multipart parts")
        limit = resources.settings.ingest.max_file_bytes
        accepted: list[SourceFile] = []
        rejected: list[FileOutcome] = []
        for upload in data:
            name = upload.filename or "(no name)"
            try:
                # Read one byte past the limit: enough to know a file is too large.
                source = SourceFile(clean_path(name), await upload.read(limit + 1))
                await resources.ingestor.check(source)
            except IngestError as error:
                rejected.append(FileOutcome(shown_name(name), "failed", error=str(error)))
            else:
                accepted.append(source)
        if not accepted:
            raise HTTPException(
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                detail="no file could be ingested",
                extra=[{"path": r.path, "error": r.error} for r in rejected],
            )
        try:
            job_id = await resources.jobs.start(user.id, accepted, rejected)
        except IngestClosedError as error:
            raise ServiceUnavailableException(str(error)) from None
        except IngestBusyError as error:
            raise TooManyRequestsException(str(error), headers={"Retry-After": "30"}) from None
        return UploadAccepted(
            job_id=job_id,
            accepted=[s.path for s in accepted],
            rejected=[FileResult.model_validate(r, from_attributes=True) for r in rejected],
        )

    @get("/documents", summary="List documents", responses=error_responses(401))
    async def list_documents(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
    ) -> list[Document]:
        """Every document, by path."""
        return [_document(d) for d in await resources.documents.list_documents(user.id)]

    @get(
        "/documents/{document_id:uuid}", summary="One document", responses=error_responses(401, 404)
    )
    async def get_document(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        document_id: FromPath[UUID],
    ) -> Document:
        """One document, or 404."""
        found = await resources.documents.get(user.id, document_id)
        if found is None:
            raise NotFoundException(f"no document {document_id}")
        return _document(found)

    @delete(
        "/documents/{document_id:uuid}",
        summary="Delete a document",
        responses=error_responses(401, 404),
    )
    async def delete_document(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        document_id: FromPath[UUID],
    ) -> None:
        """Delete it with its chunks, vectors, and the concepts only it supported."""
        if not await resources.ingestor.delete(user.id, document_id):
            raise NotFoundException(f"no document {document_id}")

    @get(
        "/ingest-jobs/{job_id:uuid}",
        summary="Progress of an upload",
        responses=error_responses(401, 404),
    )
    async def get_job(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        job_id: FromPath[UUID],
    ) -> IngestJob:
        """Files done, chunks embedded, and each file's outcome."""
        job = await resources.jobs.get(user.id, job_id)
        if job is None:
            raise NotFoundException(f"no ingest job {job_id}")
        return IngestJob.model_validate(job, from_attributes=True)
