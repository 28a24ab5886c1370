"""GraphQL types, one module per type. They are also the plain records the services build
from engine rows (values unrounded) and the REST aliases serialize."""
