"""The clinician's views: patient list, one patient's record, triage queue, exports."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask.views import MethodView

from api import exports
from api.audit import audit_detail, audit_patient, audited
from api.auth import Blueprint, current_account
from api.pagination import SelectPage, page_rows
from api.records import chart_response, date_range, records
from jobs import insights
from jobs.detection import Settings
from models import db, diary, review
from models.clock import utcnow
from models.enums import AuditAction, InfusionKind, RecordedBy, Role
from models.errors import Invalid
from schemas.common import RangeArgsSchema
from schemas.diary import EntrySchema, InfusionSchema
from schemas.review import (
    AuditArgsSchema,
    AuditEventSchema,
    ChartArgsSchema,
    ClinicInfusionSchema,
    ClinicSettingsSchema,
    InsightsSchema,
    PatientDetailSchema,
    PatientListArgsSchema,
    PatientRowSchema,
    ResolveSchema,
    TimelineItemSchema,
    TriageArgsSchema,
    TriageItemSchema,
)

blp = Blueprint(
    "clinic",
    __name__,
    url_prefix="/api/v1/clinic",
    description="Clinician review (own clinic only)",
)


def clinic_today() -> dt.date:
    return utcnow().astimezone(ZoneInfo(current_account().clinic.timezone)).date()


def patient_of_clinic(patient_id: int):
    patient = review.clinic_patient(db.session, current_account().clinic_id, patient_id)
    audit_patient(patient.id)
    return patient


@blp.route("/patients")
class PatientListViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(PatientListArgsSchema, location="query")
    @blp.response(200, PatientRowSchema(many=True))
    @blp.paginate()
    @audited("patient_list")
    def get(self, args, pagination_parameters):
        """My clinic's patients, most urgent first

        Status: `wearing_off`, `forecast` (an open forecast suggestion), `no_recent_data`
        (nothing logged for 7 days), `non_responder`, `no_baseline`, `ok`. Filter with
        `status`; search names and emails with `q`. Adherence is the share of the patient's
        last 14 local days with an entry. A page is read in two queries (plus its count).
        """
        query = review.overview_query(
            current_account().clinic_id, clinic_today(), status=args["status"], search=args["q"]
        )
        rows = review.overview_rows(db.session, page_rows(query, pagination_parameters))
        audit_detail(patients=[r["id"] for r in rows])
        return rows


@blp.route("/patients/<int:patient_id>")
class PatientViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.response(200, PatientDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @audited("patient")
    def get(self, patient_id):
        """One patient of my clinic, with the latest assessment"""
        patient = patient_of_clinic(patient_id)
        data = review.patient_summary(db.session, patient, clinic_today())
        return data


@blp.route("/patients/<int:patient_id>/entries")
class PatientEntriesViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, EntrySchema(many=True))
    @blp.paginate(SelectPage)
    @audited("entries")
    def get(self, args, patient_id):
        """A patient's diary entries, newest first"""
        patient = patient_of_clinic(patient_id)
        return diary.entries_query(patient, args["from_"], args["to"])


@blp.route("/patients/<int:patient_id>/infusions")
class PatientInfusionsViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.response(200, InfusionSchema(many=True))
    @blp.paginate(SelectPage)
    @audited("infusions")
    def get(self, patient_id):
        """A patient's infusions, newest first"""
        return diary.infusions_query(patient_of_clinic(patient_id))

    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(
        ClinicInfusionSchema,
        example={"administered_on": "2026-03-02", "kind": "booster", "dose_mg": 35},
    )
    @blp.response(201, InfusionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @audited("infusions", AuditAction.CREATE)
    def post(self, data, patient_id):
        """Record an infusion given at the clinic

        The clinic's record is authoritative (the patient cannot change it); it starts a new
        cycle and expires the open suggestions of the cycle before.
        """
        patient = patient_of_clinic(patient_id)
        data["kind"] = InfusionKind(data["kind"])
        infusion = diary.create_infusion(
            db.session,
            patient,
            data,
            recorded_by=RecordedBy.CLINICIAN,
            recorded_by_account_id=current_account().id,
        )
        audit_detail(infusion_id=infusion.id)
        db.session.commit()
        return infusion


@blp.route("/patients/<int:patient_id>/timeline")
class TimelineViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, TimelineItemSchema(many=True))
    @audited("timeline")
    def get(self, args, patient_id):
        """Entries, infusions and suggestions on one time axis (default: last 120 days)"""
        patient = patient_of_clinic(patient_id)
        start, end = date_range(args, patient.timezone)
        return review.timeline(db.session, patient, start, end)


@blp.route("/patients/<int:patient_id>/insights")
class InsightsViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.response(200, InsightsSchema)
    @audited("insights")
    def get(self, patient_id):
        """Per infusion cycle: baseline, best relief, days of relief, whether it wore off"""
        patient = patient_of_clinic(patient_id)
        return insights.for_patient(db.session, patient, diary.local_today(patient.timezone))


@blp.route("/patients/<int:patient_id>/chart.png")
class ChartViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(ChartArgsSchema, location="query")
    @blp.response(200, content_type="image/png", description="PNG chart")
    @audited("chart")
    def get(self, args, patient_id):
        """Chart of the four metrics with infusions, baseline, threshold and suggestions

        `size=phone` for a tall narrow image, `desktop` (default) for a wide one.
        """
        return chart_response(patient_of_clinic(patient_id), args)


@blp.route("/patients/<int:patient_id>/export.csv")
class CsvViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description="one row per day")
    @audited("export_csv")
    def get(self, args, patient_id):
        """Export one row per day as CSV (columns: see the README)"""
        patient = patient_of_clinic(patient_id)
        start, end = date_range(args, patient.timezone)
        text = exports.to_csv(*records(patient, start, end), start, end)
        name = f"patient-{patient.id}-{start}-{end}.csv"
        return Response(
            text,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )


@blp.route("/patients/<int:patient_id>/fhir")
class FhirViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, content_type="application/fhir+json", description="FHIR R4 Bundle")
    @audited("export_fhir")
    def get(self, args, patient_id):
        """Export as a FHIR R4 Bundle: Patient, Observations, Procedures, Flags"""
        patient = patient_of_clinic(patient_id)
        start, end = date_range(args, patient.timezone)
        bundle = exports.to_fhir(patient, patient.account, *records(patient, start, end))
        return Response(
            current_app.json.dumps(bundle),
            mimetype="application/fhir+json",
            headers={"Cache-Control": "no-store"},
        )


@blp.route("/suggestions")
class TriageViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(TriageArgsSchema, location="query")
    @blp.response(200, TriageItemSchema(many=True))
    @blp.paginate()
    @audited("suggestions")
    def get(self, args, pagination_parameters):
        """The triage queue: suggestions of my clinic (default `status=open`)

        Detected wearing-off first, then forecasts; oldest first within each.
        """
        rows = page_rows(
            review.triage_query(current_account().clinic_id, args["status"]), pagination_parameters
        )
        audit_detail(suggestions=[row.BoosterSuggestion.id for row in rows])
        return rows


@blp.route("/suggestions/<int:suggestion_id>/resolve")
class ResolveViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.arguments(ResolveSchema, example={"outcome": "booked", "appointment_on": "2026-03-12"})
    @blp.response(200, TriageItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @audited("suggestion", AuditAction.UPDATE)
    def post(self, data, suggestion_id):
        """Resolve a suggestion: booked (with the date), dismissed, or contacted

        The patient sees the outcome in their next sync.
        """
        suggestion = review.resolve_suggestion(
            db.session,
            current_account().clinic_id,
            suggestion_id,
            outcome=data["outcome"],
            appointment_on=data["appointment_on"],
            note=data["note"],
            by_account_id=current_account().id,
        )
        audit_patient(suggestion.patient_id)
        audit_detail(suggestion_id=suggestion.id, outcome=data["outcome"])
        db.session.commit()
        return suggestion


@blp.route("/settings")
class SettingsViews(MethodView):
    @blp.auth_required(Role.CLINICIAN)
    @blp.response(200, ClinicSettingsSchema)
    def get(self):
        """My clinic's settings"""
        return current_account().clinic

    @blp.auth_required(Role.ADMIN)
    @blp.arguments(ClinicSettingsSchema)
    @blp.response(200, ClinicSettingsSchema)
    def patch(self, data):
        """Change my clinic's settings (admin)

        Booking URL or phone, booking lead time (0–90 days), time zone, and detection
        settings by name (see the README); unknown or out-of-range settings are refused.
        """
        clinic = current_account().clinic
        if "detection_settings" in data:
            try:
                Settings.from_mapping(data["detection_settings"])
            except ValueError as error:
                raise Invalid(
                    "invalid detection settings", {"detection_settings": [str(error)]}
                ) from None
        clinic = review.update_settings(db.session, clinic, data)
        db.session.commit()
        return clinic


@blp.route("/audit")
class AuditViews(MethodView):
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Who read or changed which patient's data, newest first (admin)"""
        return review.audit_query(current_account().clinic_id, args["patient_id"], args["actor_id"])
