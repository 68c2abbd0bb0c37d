"""`/api/trackers`: tracker rules, for admins only."""

from rest_framework import generics
from rest_framework.permissions import IsAdminUser

from torrents.api.serializers import TrackerRuleSerializer
from torrents.models import TrackerRule


class TrackerRuleListView(generics.ListCreateAPIView):
    permission_classes = [IsAdminUser]
    serializer_class = TrackerRuleSerializer
    queryset = TrackerRule.objects.all()


class TrackerRuleDetailView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdminUser]
    serializer_class = TrackerRuleSerializer
    queryset = TrackerRule.objects.all()
