"""Image work for the capture station (Qt-free, numpy/OpenCV): the exam photo and the ID card."""
