"""Issue 9, findings 1–5 (the audit trail): one row per finding, naming the tests that now
refuse or record what the probe found. This test fails when a named test disappears."""

import importlib

import pytest

FINDINGS = {
    "1 Django admin writes leave no audit row; django_admin_log unprotected": [
        "beian.core.tests.test_admin_audit:test_a_mobile_changed_in_the_admin_is_audited_masked",
        "beian.core.tests.test_admin_audit:test_a_role_granted_through_the_user_inline_is_audited",
        "beian.core.tests.test_admin_audit:test_an_account_moved_to_another_unit_in_the_admin_is_audited",
        "beian.core.tests.test_admin_audit:test_a_delete_in_the_admin_is_audited",
        "beian.core.tests.test_admin_audit:test_only_superusers_enter_the_admin",
        "beian.core.tests.test_admin_audit:test_every_model_admin_is_on_the_audit_path",
    ],
    "2 the audit IP is whatever X-Forwarded-For says": [
        "beian.core.tests.test_access_audit:test_forged_forwarded_for_is_ignored_without_a_trusted_proxy",
        "beian.core.tests.test_access_audit:test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_taken",
        "beian.core.tests.test_access_audit:test_stored_audit_ip_is_the_peer_not_the_forged_header",
    ],
    "3 no row for refusals, downloads, personal-data views, import previews, log reads": [
        "beian.core.tests.test_access_audit:test_a_404_probe_by_a_signed_in_user_is_recorded_once_a_minute",
        "beian.core.tests.test_access_audit:test_a_scan_cannot_flood_the_log",
        "beian.core.tests.test_access_audit:test_a_403_is_recorded",
        "beian.core.tests.test_access_audit:test_a_forged_role_grant_is_refused_and_recorded",
        "beian.core.tests.test_access_audit:test_anonymous_probes_of_pages_behind_the_login_are_recorded",
        "beian.core.tests.test_access_audit:test_a_csrf_failure_is_recorded",
        "beian.core.tests.test_access_audit:test_single_record_views_of_personal_data_are_recorded",
        "beian.core.tests.test_access_audit:test_downloads_of_filing_forms_are_recorded",
        "beian.core.tests.test_access_audit:test_reads_of_the_audit_log_are_recorded",
        "beian.core.tests.test_access_audit:test_every_audited_read_names_a_route",
    ],
    "4 unmasked mobiles in the audit diff of a filing edit": [
        "beian.core.tests.test_access_audit:test_filing_edit_diffs_are_masked",
        "beian.core.tests.test_access_audit:test_one_redaction_masks_every_audit_row",
    ],
    "5 forged INSERT / rewrite undetected; no retention, archive, backup or restore": [
        "beian.core.tests.test_audit_chain:test_untouched_log_verifies",
        "beian.core.tests.test_audit_chain:test_forged_insert_is_found",
        "beian.core.tests.test_audit_chain:test_forged_insert_without_chain_columns_is_found",
        "beian.core.tests.test_audit_chain:test_update_with_the_trigger_dropped_is_found",
        "beian.core.tests.test_audit_chain:test_delete_with_the_trigger_dropped_is_found",
        "beian.core.tests.test_audit_chain:test_deleting_the_newest_rows_is_found",
        "beian.core.tests.test_audit_chain:test_two_rows_swapped_are_found",
        "beian.core.tests.test_audit_chain:test_rows_get_in_only_through_the_audit_service",
        "beian.core.tests.test_audit_chain:test_database_refuses_delete_of_young_rows_even_with_a_permit",
        "beian.core.tests.test_audit_chain:test_archive_moves_old_rows_to_a_sealed_file_and_the_chain_still_verifies",
        "beian.core.tests.test_audit_chain:test_a_changed_archive_file_or_anchor_is_found",
        "beian.notify.tests.test_auditwatch:test_a_broken_chain_alerts_every_school_admin",
        "beian.core.tests.test_backup_drill:test_backup_under_load_restores_with_no_row_differing",
        "beian.core.tests.test_backup_drill:test_restore_refuses_a_database_that_is_not_empty",
    ],
}


@pytest.mark.parametrize("finding", FINDINGS)
def test_each_finding_has_its_tests(finding):
    for ref in FINDINGS[finding]:
        module, name = ref.split(":")
        assert callable(getattr(importlib.import_module(module), name, None)), ref
