"""Long texts the form tests print: they must wrap, never be clipped."""

LONG_MAJOR = "计算机应用技术（人工智能与大数据应用方向，中外合作办学项目，校企合作订单培养班）"
LONG_REASON = "有 3 门课程不及格且尚未补考通过：高等数学（二）、大学英语（三）、数据结构与算法分析课程设计"
