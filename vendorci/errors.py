"""The error model: every failure a user can meet is a VendorciError.

Each error carries a stable snake_case ``code`` (it appears in JSON output),
a message, an optional fix ``hint`` and the process exit code it maps to.
Clients translate library exceptions into these; nothing else reaches a user.
"""

from __future__ import annotations

from typing import Any


class Code:
    """Every error and finding code vendorci emits, in one registry (the JSON ``code`` values).

    Codes are stable: scripts branch on them.  Compare against these constants, never a retyped string;
    ``tests/unit/test_error_codes.py`` fails when a module uses a code that is not registered here.
    """

    APPLY_BACKUP_FAILED = "apply_backup_failed"
    APPLY_BAD_HOST_KEY = "apply_bad_host_key"
    APPLY_PATH_ESCAPE = "apply_path_escape"
    APPLY_RELATIVE_PATH = "apply_relative_path"
    APPLY_ROOT_MISSING = "apply_root_missing"
    APPLY_TARGET_NOT_FILE = "apply_target_not_file"
    APPLY_UNRESOLVED_VARS = "apply_unresolved_vars"
    APPLY_WRITE_FAILED = "apply_write_failed"
    AUTH_FAILED = "auth_failed"
    BAD_ADDRESS = "bad_address"
    BAD_CHANGE = "bad_change"
    BAD_CONSUMER = "bad_consumer"
    BAD_DURATION = "bad_duration"
    BAD_GERRIT_HOST = "bad_gerrit_host"
    BAD_GERRIT_URL = "bad_gerrit_url"
    BAD_GERRIT_USER = "bad_gerrit_user"
    BAD_HOST = "bad_host"
    BAD_HOST_KEY_POLICY = "bad_host_key_policy"
    BAD_JENKINS_URL = "bad_jenkins_url"
    BAD_KEY_BITS = "bad_key_bits"
    BAD_KEY_COMMENT = "bad_key_comment"
    BAD_KEY_FORMAT = "bad_key_format"
    BAD_KEY_NAME = "bad_key_name"
    BAD_KEY_TYPE = "bad_key_type"
    BAD_LOG_URL = "bad_log_url"
    BAD_NODE_NAME = "bad_node_name"
    BAD_PORT = "bad_port"
    BAD_PUBLISH_HOST = "bad_publish_host"
    BAD_RECHECK_COMMENT = "bad_recheck_comment"
    BAD_VENDOR = "bad_vendor"
    BUILD_FAILED = "build_failed"
    CHANGE_NOT_FOUND = "change_not_found"
    CONFIG_BAD_VALUE = "config_bad_value"
    CONFIG_ERROR = "config_error"
    CONFIG_INVALID = "config_invalid"
    CONFIG_JJB_INI = "config_jjb_ini"
    CONFIG_MISSING = "config_missing"
    CONFIG_SECRET_IN_REPO = "config_secret_in_repo"  # noqa: S105 - a code, not a secret
    CONFIG_SECRET_INLINE = "config_secret_inline"  # noqa: S105 - a code, not a secret
    CONFIG_SYNTAX = "config_syntax"
    CONFIG_UNKNOWN_KEY = "config_unknown_key"
    CONFIRMATION_REQUIRED = "confirmation_required"
    CONNECTION_FAILED = "connection_failed"
    CREDENTIAL_MISSING = "credential_missing"
    CREDENTIAL_ORIGIN_MISMATCH = "credential_origin_mismatch"
    DIR_MISSING = "dir_missing"
    DIR_NOT_EMPTY = "dir_not_empty"
    DIR_UNWRITABLE = "dir_unwritable"
    ERROR = "error"
    FILE_MISSING = "file_missing"
    FILE_TOO_LARGE = "file_too_large"
    FILE_UNREADABLE = "file_unreadable"
    GEARMAN_CLOSED = "gearman_closed"
    GEARMAN_ERROR = "gearman_error"
    GEARMAN_PROTOCOL_ERROR = "gearman_protocol_error"
    GEARMAN_REPLY_TOO_LARGE = "gearman_reply_too_large"
    GEARMAN_TIMEOUT = "gearman_timeout"
    GEARMAN_UNREACHABLE = "gearman_unreachable"
    GERRIT_COMMAND_FAILED = "gerrit_command_failed"
    GERRIT_HTTP_AUTH = "gerrit_http_auth"
    GERRIT_HTTP_ERROR = "gerrit_http_error"
    GERRIT_HTTP_NO_CREDENTIALS = "gerrit_http_no_credentials"
    GERRIT_HTTP_TIMEOUT = "gerrit_http_timeout"
    GERRIT_HTTP_UNREACHABLE = "gerrit_http_unreachable"
    GERRIT_HTTP_URL = "gerrit_http_url"
    GERRIT_PROJECT_UNKNOWN = "gerrit_project_unknown"
    GERRIT_QUERY_ERROR = "gerrit_query_error"
    GERRIT_SSH_AUTH_FAILED = "gerrit_ssh_auth_failed"
    GERRIT_STREAM_CLOSED = "gerrit_stream_closed"
    GERRIT_STREAM_DROPPED = "gerrit_stream_dropped"
    GERRIT_STREAM_FAILED = "gerrit_stream_failed"
    GERRIT_STREAM_REFUSED = "gerrit_stream_refused"
    GERRIT_UNEXPECTED = "gerrit_unexpected"
    GERRIT_UNREACHABLE = "gerrit_unreachable"
    GIT_FAILED = "git_failed"
    GIT_TIMEOUT = "git_timeout"
    HOST_KEY_MISMATCH = "host_key_mismatch"
    HOST_KEY_REVOKED = "host_key_revoked"
    HOST_KEY_UNKNOWN = "host_key_unknown"
    HTTP_BODY_TOO_LARGE = "http_body_too_large"
    INIT_IN_CWD = "init_in_cwd"
    INPUT_ERROR = "input_error"
    INTERNAL_ERROR = "internal_error"
    INTERRUPTED = "interrupted"
    INVALID_COMMITTER = "invalid_committer"
    JENKINS_AUTH = "jenkins_auth"
    JENKINS_BAD_XML = "jenkins_bad_xml"
    JENKINS_CRUMB = "jenkins_crumb"
    JENKINS_ERROR = "jenkins_error"
    JENKINS_FORBIDDEN = "jenkins_forbidden"
    JENKINS_JOB_FAILED = "jenkins_job_failed"
    JENKINS_NOT_FOUND = "jenkins_not_found"
    JENKINS_REDIRECTS = "jenkins_redirects"
    JENKINS_SERVER_ERROR = "jenkins_server_error"
    JENKINS_TIMEOUT = "jenkins_timeout"
    JENKINS_TLS = "jenkins_tls"
    JENKINS_TOKEN_MISSING = "jenkins_token_missing"  # noqa: S105 - a code, not a secret
    JENKINS_UNREACHABLE = "jenkins_unreachable"
    JENKINS_URL_MISSING = "jenkins_url_missing"
    JJB_DUPLICATE_JOB = "jjb_duplicate_job"
    JJB_FAILED = "jjb_failed"
    JJB_MISSING = "jjb_missing"
    JJB_MISSING_PARAM = "jjb_missing_param"
    JJB_STRUCTURE = "jjb_structure"
    JJB_UNKNOWN_TEMPLATE = "jjb_unknown_template"
    JOBS_JJB = "jobs_jjb"
    JOBS_JJB_FORMAT = "jobs_jjb_format"
    JOBS_MISSING_DIR = "jobs_missing_dir"
    JOBS_PLACEHOLDER = "jobs_placeholder"
    JOBS_SETTING_UNUSED = "jobs_setting_unused"
    JOBS_UNDEFINED = "jobs_undefined"
    JOBS_UNKNOWN_COMPONENT = "jobs_unknown_component"
    JOB_NOT_REGISTERED = "job_not_registered"
    KEY_CONVERT_MISMATCH = "key_convert_mismatch"
    KEY_ENCRYPTED = "key_encrypted"
    KEY_EXISTS = "key_exists"
    KEY_FORMAT_UNSUPPORTED = "key_format_unsupported"
    KEY_INVALID = "key_invalid"
    KEY_MISSING = "key_missing"
    KEY_MODE_UNSAFE = "key_mode_unsafe"
    KEY_NOT_PRIVATE = "key_not_private"
    KEY_TOO_WEAK = "key_too_weak"
    KEY_UNREADABLE_BY_CONSUMER = "key_unreadable_by_consumer"
    KEYS_FORMAT = "keys_format"
    KEYS_INVALID = "keys_invalid"
    KEYS_MISSING = "keys_missing"
    KEYS_MODE = "keys_mode"
    KEYS_OUTSIDE = "keys_outside"
    KEYS_PUB_MISMATCH = "keys_pub_mismatch"
    KEYS_PUB_MISSING = "keys_pub_missing"
    KEYS_WEAK = "keys_weak"
    KNOWN_HOSTS_INVALID = "known_hosts_invalid"
    LAYOUT_DUPLICATE = "layout_duplicate"
    LAYOUT_EVENT = "layout_event"
    LAYOUT_INCLUDE_MISSING = "layout_include_missing"
    LAYOUT_INVALID = "layout_invalid"
    LAYOUT_JOB_NAME = "layout_job_name"
    LAYOUT_MANAGER = "layout_manager"
    LAYOUT_MISSING = "layout_missing"
    LAYOUT_PARAMETER_FUNCTION = "layout_parameter_function"
    LAYOUT_PIPELINE_NAME = "layout_pipeline_name"
    LAYOUT_PROJECT_JOBS = "layout_project_jobs"
    LAYOUT_PROJECT_NAME = "layout_project_name"
    LAYOUT_SCHEMA = "layout_schema"
    LAYOUT_TEMPLATE_PARAM = "layout_template_param"
    LAYOUT_PROJECT_NO_JOBS = "layout_project_no_jobs"
    LAYOUT_RECHECK = "layout_recheck"
    LAYOUT_RECHECK_PLACEHOLDER = "layout_recheck_placeholder"
    LAYOUT_REGEX = "layout_regex"
    LAYOUT_REGEX_SLOW = "layout_regex_slow"
    LAYOUT_REPORTER = "layout_reporter"
    LAYOUT_START_REPORT = "layout_start_report"
    LAYOUT_SPLIT_CONCAT = "layout_split_concat"
    LAYOUT_TEMPLATE_NAME = "layout_template_name"
    LAYOUT_TRIGGER = "layout_trigger"
    LAYOUT_UNKNOWN_KEY = "layout_unknown_key"
    LAYOUT_UNKNOWN_PIPELINE = "layout_unknown_pipeline"
    LAYOUT_UNKNOWN_TEMPLATE = "layout_unknown_template"
    LOG_UNREACHABLE = "log_unreachable"
    LOW_SUCCESS_RATE = "low_success_rate"
    MISSING_OPTION = "missing_option"
    MULTIPLE_COMMENTS = "multiple_comments"
    NEGATIVE_VOTE = "negative_vote"
    NO_CHANGE_URL = "no_change_url"
    NO_CI_KEY = "no_ci_key"
    NO_CI_USER = "no_ci_user"
    NO_GITREVIEW = "no_gitreview"
    NO_LOG_LINK = "no_log_link"
    NO_OPERATOR = "no_operator"
    NO_RESULT = "no_result"
    NO_VOTE = "no_vote"
    NO_WIKI_LINK = "no_wiki_link"
    NODE_KEY_MISSING = "node_key_missing"
    NODE_LAUNCH_FAILED = "node_launch_failed"
    NODE_LIST_INVALID = "node_list_invalid"
    NODE_NOT_FOUND = "node_not_found"
    NODE_OFFLINE = "node_offline"
    NODE_SETTINGS_DIFFER = "node_settings_differ"
    NODE_WAIT_TIMEOUT = "node_wait_timeout"
    NOT_A_DATAREPO = "not_a_datarepo"
    NOT_A_DIRECTORY = "not_a_directory"
    NOT_A_FILE = "not_a_file"
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    NOT_CONFIRMED = "not_confirmed"
    NOT_TEXT = "not_text"
    OPERATION_FAILED = "operation_failed"
    OUTPUT_UNSUPPORTED = "output_unsupported"
    PATH_ESCAPES = "path_escapes"
    PATH_IS_SYMLINK = "path_is_symlink"
    PEER_UNEXPECTED = "peer_unexpected"
    POLICY_MULTIPLE_COMMENTS = "policy_multiple_comments"
    POLICY_NO_LOG_LINK = "policy_no_log_link"
    POLICY_NO_WIKI_LINK = "policy_no_wiki_link"
    PREFLIGHT_FAILED = "preflight_failed"
    PUSH_DENIED = "push_denied"
    PUSH_MISSING_CHANGE_ID = "push_missing_change_id"
    PUSH_NO_NEW_CHANGES = "push_no_new_changes"
    PUSH_REJECTED = "push_rejected"
    REDIRECT_REFUSED = "redirect_refused"
    RELOAD_BAD_COMMAND = "reload_bad_command"
    RELOAD_BAD_PIDFILE = "reload_bad_pidfile"
    RELOAD_COMMAND_MISSING = "reload_command_missing"
    RELOAD_DENIED = "reload_denied"
    RELOAD_DIED = "reload_died"
    RELOAD_FAILED = "reload_failed"
    RELOAD_NOT_ZUUL = "reload_not_zuul"
    RELOAD_TIMEOUT = "reload_timeout"
    REPO_NOT_GIT = "repo_not_git"
    SECRET_FILE_INVALID = "secret_file_invalid"  # noqa: S105 - a code, not a secret
    SECRET_FILE_MISSING = "secret_file_missing"  # noqa: S105 - a code, not a secret
    SECRET_FILE_MODE = "secret_file_mode"  # noqa: S105 - a code, not a secret
    SECRET_ON_COMMAND_LINE = "secret_on_command_line"  # noqa: S105 - a code, not a secret
    SILENCE = "silence"
    SSH_AUTH_FAILED = "ssh_auth_failed"
    SSH_COMMAND_TIMEOUT = "ssh_command_timeout"
    SSH_CONNECTION_LOST = "ssh_connection_lost"
    SSH_NO_KEY = "ssh_no_key"
    SSH_OUTPUT_TOO_LARGE = "ssh_output_too_large"
    SSH_PROTOCOL_ERROR = "ssh_protocol_error"
    SSH_TIMEOUT = "ssh_timeout"
    SSH_UNREACHABLE = "ssh_unreachable"
    TIMEOUT = "timeout"
    TOOL_MISSING = "tool_missing"
    UNKNOWN_CHECK = "unknown_check"
    USAGE_ERROR = "usage_error"
    VALIDATION_FAILED = "validation_failed"
    VARS_COMMAND = "vars_command"
    VARS_DUPLICATE = "vars_duplicate"
    VARS_LOG_URL_ROOT = "vars_log_url_root"
    VARS_MISNAMED = "vars_misnamed"
    VARS_MISSING = "vars_missing"
    VARS_PUBLISH_HOST = "vars_publish_host"
    VARS_REQUIRED = "vars_required"
    VARS_SYNTAX = "vars_syntax"
    VARS_UNDEFINED = "vars_undefined"
    VARS_UNPARSED = "vars_unparsed"
    VARS_UNUSED = "vars_unused"
    WRITE_FAILED = "write_failed"
    YAML_RECURSIVE = "yaml_recursive"
    YAML_SYNTAX = "yaml_syntax"
    YAML_TOO_DEEP = "yaml_too_deep"
    YAML_TOO_LARGE = "yaml_too_large"
    ZUUL_CONF_INVALID = "zuul_conf_invalid"
    ZUUL_CONF_SECTION = "zuul_conf_section"
    ZUUL_CONF_URL_PATTERN = "zuul_conf_url_pattern"
    ZUUL_WEB_BAD_SHAPE = "zuul_web_bad_shape"
    ZUUL_WEB_BAD_URL = "zuul_web_bad_url"
    ZUUL_WEB_ERROR = "zuul_web_error"
    ZUUL_WEB_HTTP = "zuul_web_http"
    ZUUL_WEB_NOT_JSON = "zuul_web_not_json"
    ZUUL_WEB_TOO_LARGE = "zuul_web_too_large"
    ZUUL_WEB_UNREACHABLE = "zuul_web_unreachable"

    # init --zuul v3, and validate of Zuul v3 config projects with the third-party policy
    BAD_OPTION = "bad_option"
    BAD_ZUUL_VERSION = "bad_zuul_version"
    POLICY_GATE = "policy_gate"
    POLICY_LABEL = "policy_label"
    POLICY_RECHECK = "policy_recheck"
    POLICY_START_REPORT = "policy_start_report"
    POLICY_SUBMIT = "policy_submit"
    POLICY_VERIFIED_2 = "policy_verified_2"
    POLICY_WIKI_LINK = "policy_wiki_link"
    YAML_DUPLICATE_KEY = "yaml_duplicate_key"
    ZUUL_CONF_CONNECTION = "zuul_conf_connection"
    ZUUL_CONF_DATABASE = "zuul_conf_database"
    ZUUL_CONF_SCHEDULER = "zuul_conf_scheduler"
    ZUUL_CONF_WEB = "zuul_conf_web"
    ZUUL_CONF_ZOOKEEPER = "zuul_conf_zookeeper"
    ZUUL_CONF_ZOOKEEPER_TLS = "zuul_conf_zookeeper_tls"
    ZUUL_TENANT = "zuul_tenant"
    ZUUL_TENANT_CONNECTION = "zuul_tenant_connection"
    ZUULV3_DUPLICATE = "zuulv3_duplicate"
    ZUULV3_IGNORED_CONFIG = "zuulv3_ignored_config"
    ZUULV3_IGNORED_FILE = "zuulv3_ignored_file"
    ZUULV3_JOB_UNKNOWN = "zuulv3_job_unknown"
    ZUULV3_MISSING_ATTRIBUTE = "zuulv3_missing_attribute"
    ZUULV3_NODESET_UNKNOWN = "zuulv3_nodeset_unknown"
    ZUULV3_PARENT_UNKNOWN = "zuulv3_parent_unknown"
    ZUULV3_PIPELINE_UNKNOWN = "zuulv3_pipeline_unknown"
    ZUULV3_PLAYBOOK_MISSING = "zuulv3_playbook_missing"
    ZUULV3_REGEX = "zuulv3_regex"
    ZUULV3_REGEX_RE2 = "zuulv3_regex_re2"
    ZUULV3_SECRET_UNKNOWN = "zuulv3_secret_unknown"  # noqa: S105 - a code, not a secret
    ZUULV3_SEMAPHORE_UNKNOWN = "zuulv3_semaphore_unknown"
    ZUULV3_STRUCTURE = "zuulv3_structure"
    ZUULV3_TEMPLATE_UNKNOWN = "zuulv3_template_unknown"
    ZUULV3_TYPE = "zuulv3_type"
    ZUULV3_UNKNOWN_ATTRIBUTE = "zuulv3_unknown_attribute"
    ZUULV3_UNKNOWN_STANZA = "zuulv3_unknown_stanza"
    ZUULV3_VALUE = "zuulv3_value"


#: Every registered code.
ALL_CODES = frozenset(v for k, v in vars(Code).items() if k.isupper())


EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_TIMEOUT = 124
EXIT_INTERRUPTED = 130


class VendorciError(Exception):
    """A known failure with a message a user can act on."""

    code = Code.ERROR
    exit_code = EXIT_FAIL

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        exit_code: int | None = None,
        data: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if exit_code is not None:
            self.exit_code = exit_code
        self.hint = hint
        self.data = data or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class UsageError(VendorciError):
    """Bad arguments or bad input given by the user (exit 2)."""

    code = Code.USAGE_ERROR
    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A configuration file or value is invalid."""

    code = Code.CONFIG_ERROR


class InputError(UsageError):
    """A file or directory given as input is missing, malformed or unsafe."""

    code = Code.INPUT_ERROR


class OperationFailed(VendorciError):
    """An operation ran and failed (exit 1)."""

    code = Code.OPERATION_FAILED


class WaitTimeout(VendorciError):
    """A bounded wait ran out (exit 124)."""

    code = Code.TIMEOUT
    exit_code = EXIT_TIMEOUT


class ConnectionFailed(VendorciError):
    """A peer could not be reached."""

    code = Code.CONNECTION_FAILED


class AuthFailed(VendorciError):
    code = Code.AUTH_FAILED


class HostKeyUnknown(VendorciError):
    code = Code.HOST_KEY_UNKNOWN


class HostKeyMismatch(VendorciError):
    code = Code.HOST_KEY_MISMATCH


class ToolMissing(UsageError):
    """An external program vendorci needs (git, git-review, ssh) is not installed."""

    code = Code.TOOL_MISSING


def lenient_read(read: Any, path: Any, problems: list[ConfigError] | None, empty: Any) -> Any:
    """``read(path)``; with ``problems`` (a lenient config load, for doctor), a file that does not parse is
    recorded there as a ConfigError and reads as ``empty``."""
    try:
        return read(path)
    except VendorciError as exc:
        if problems is None:
            raise
        problems.append(exc if isinstance(exc, ConfigError) else ConfigError(exc.message, code=exc.code, hint=exc.hint))
        return empty
