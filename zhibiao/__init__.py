"""zhibiao (指标): township indicator dashboard for county statistics offices."""

__version__ = "0.1.0"
