"""The tenant's end-user privacy notice: status of the draft, published versions."""

from rest_framework import serializers

from api.fields import CharField
from notices.models import NoticeVersion


class NoticeVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeVersion
        fields = [
            "number", "effective_at", "published_at", "published_by_label", "languages",
            "sha256", "change_summary",
        ]  # fmt: skip
        read_only_fields = fields


class NoticeVersionSerializer(serializers.ModelSerializer):
    """A published version, as immutable as the row it renders."""

    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    configuration = serializers.DictField(
        read_only=True, help_text="The data-sharing configuration this version describes."
    )
    content = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="HTML body per language code."
    )
    changes = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = NoticeVersion
        fields = [
            "number", "effective_at", "published_at", "published_by_label", "languages",
            "sha256", "change_summary", "changes", "admin_note", "configuration", "content",
        ]  # fmt: skip
        read_only_fields = fields


class BrokenLinkSerializer(serializers.Serializer):
    operator = serializers.CharField()
    which = serializers.CharField()
    url = serializers.CharField()
    reason = serializers.CharField()


class NoticeStatusSerializer(serializers.Serializer):
    current = NoticeVersionSummarySerializer(
        allow_null=True, help_text="The version in force now; null before the first publish."
    )
    never_published = serializers.BooleanField()
    out_of_date = serializers.BooleanField(
        help_text="The configuration changed since the current version was published."
    )
    can_publish = serializers.BooleanField()
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="Why the draft cannot be published yet."
    )
    change_summary = serializers.CharField(help_text="What publishing the draft would change.")
    changes = serializers.ListField(child=serializers.DictField())
    draft = serializers.DictField(help_text="The configuration the next version would describe.")
    broken_links = BrokenLinkSerializer(many=True)
    upcoming = NoticeVersionSummarySerializer(
        many=True, help_text="Published versions that take effect later, soonest first."
    )


class PublishSerializer(serializers.Serializer):
    note = CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="An internal note for the version history (not shown to end users).",
    )
    effective_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the version takes effect (default: now). A future time announces it.",
    )
