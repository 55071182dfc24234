"""The API's shared layer: strict fields, the audited serializer, filters, permissions, the schema and the base
viewset. Import from the module that defines a name (`itsm.api.viewsets`, ...)."""
