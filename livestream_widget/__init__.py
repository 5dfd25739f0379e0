"""livestream-widget: Phoenix LiveView streams for Jupyter.

The kernel queues stream operations and forgets them once the browser has them; the browser
holds the rows and renders only what is visible.
"""

from importlib.metadata import PackageNotFoundError, version

from .async_result import AsyncResult
from .items import StreamSchemaError
from .loading import StreamItems
from .pagination import Paginator
from .tasks import Cancelled
from .widget import StreamWidget

try:
    __version__ = version("livestream-widget")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "AsyncResult",
    "Cancelled",
    "Paginator",
    "StreamItems",
    "StreamSchemaError",
    "StreamWidget",
    "__version__",
]
