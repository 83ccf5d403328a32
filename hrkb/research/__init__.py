"""The researcher's workbench: custom admin views over the knowledge base.

Dossiers (:mod:`.dossiers`), the source viewer with select-to-cite
(:mod:`.passages`), the timeline (:mod:`.timeline`), the actor network
(:mod:`.network`), claims review (:mod:`.claims`), one search over every type
(:mod:`.search`) and the home page (:mod:`.home`). Each module holds the queries
its view needs, so :mod:`.views` stays thin; :mod:`.site` mounts them inside the
admin, with its chrome and its login, for staff only.
"""
