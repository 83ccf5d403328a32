"""The partner JSON API (v1): the shared base every resource builds on.

Each app's ``api/`` package holds its serializers, viewsets and routes; this
package holds what they share once: access rules, partner-key authentication,
throttles, keyset pagination, the base viewset, filterset and serializer
fields, conditional GET, exports, JSON-LD and the changes feed.
"""
