"""Build the appendix (phụ lục) of the 2022 administrative-reform plan of huyện Long Mỹ.

The plan (Kế hoạch công tác cải cách hành chính năm 2022 của UBND huyện Long Mỹ) refers to an
appendix that was never published. This script holds a reconstruction of it, made from the plan's
text: every bullet of section III (Nhiệm vụ) is a task, plus the concrete duties of sections V
(Kinh phí) and VI (Tổ chức thực hiện). It writes, into the sample plan that ships with dondoc
(``dondoc/data/long-my-2022/``, package data):

    phu-luc-cchc-2022.xlsx   laid out like an official Vietnamese appendix
    phu-luc-cchc-2022.csv    the same rows, UTF-8 with BOM, one plain header row

Every unit named in the "Chủ trì" and "Phối hợp" columns is checked against units.yaml.

    .venv/bin/python data/long-my-2022/make_appendix.py
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dondoc.text import match_key

SAMPLE = Path(__file__).resolve().parents[2] / "dondoc" / "data" / "long-my-2022"
XLSX = SAMPLE / "phu-luc-cchc-2022.xlsx"
CSV = SAMPLE / "phu-luc-cchc-2022.csv"
UNITS = SAMPLE / "units.yaml"


@dataclass(frozen=True)
class Task:
    content: str
    lead: str
    support: str
    product: str
    deadline: str
    note: str = ""


@dataclass(frozen=True)
class Area:
    numeral: str
    title: str
    tasks: tuple[Task, ...]


# Short names used in the cells below (as an official appendix would write them).
VP = "Văn phòng HĐND và UBND huyện"
NV = "Phòng Nội vụ"
TP = "Phòng Tư pháp"
TCKH = "Phòng Tài chính - Kế hoạch"
VHTT = "Phòng Văn hóa và Thông tin"
TTVH = "Trung tâm Văn hóa – Thể thao và Truyền thanh huyện"
TTR = "Thanh tra huyện"
PHONG = "Các cơ quan chuyên môn thuộc UBND huyện"
XA = "UBND các xã, thị trấn"
LIEN_QUAN = "Các cơ quan, đơn vị có liên quan"
TAT_CA = "Các cơ quan, ban, ngành huyện, UBND các xã, thị trấn"

AREAS: tuple[Area, ...] = (
    Area(
        "I",
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        (
            Task(
                "Triển khai thực hiện các mục tiêu, nhiệm vụ cải cách hành chính năm 2022 đạt kết quả; "
                "chỉ đạo và phân công các cơ quan, đơn vị thực hiện công tác cải cách hành chính "
                "theo ngành, lĩnh vực phụ trách",
                lead=NV,
                support=f"{VP}\n{PHONG}",
                product="Văn bản chỉ đạo, phân công nhiệm vụ cải cách hành chính năm 2022",
                deadline="Tháng 01/2022",
            ),
            Task(
                "Xây dựng Kế hoạch cải cách hành chính năm 2022 của cơ quan, đơn vị và triển khai thực hiện",
                lead=TAT_CA,
                support=NV,
                product="Kế hoạch cải cách hành chính năm 2022 của cơ quan, đơn vị",
                deadline="Quý I/2022",
                note="Gửi về Phòng Nội vụ để theo dõi",
            ),
            Task(
                "Tham mưu Ủy ban nhân dân huyện phê duyệt dự toán kinh phí thực hiện kế hoạch "
                "cải cách hành chính năm 2022 theo quy định",
                lead=TCKH,
                support=f"{NV}; {LIEN_QUAN}",
                product="Quyết định phê duyệt dự toán kinh phí cải cách hành chính năm 2022",
                deadline="Quý I/2022",
            ),
            Task(
                "Xây dựng kế hoạch sử dụng kinh phí cải cách hành chính năm 2022; thẩm định kinh phí "
                "thực hiện các nhiệm vụ cải cách hành chính trình Thường trực UBND huyện phê duyệt",
                lead=NV,
                support="Phòng TC-KH",
                product="Kế hoạch sử dụng kinh phí cải cách hành chính năm 2022",
                deadline="Chậm nhất ngày 31/03/2022",
            ),
            Task(
                "Ban hành Bộ Chỉ số đánh giá cải cách hành chính và Quy định đánh giá, xếp loại "
                "công tác cải cách hành chính trên địa bàn huyện",
                lead=NV,
                support=f"{VP}, {TP}, {TCKH}, {VHTT}",
                product="Quyết định ban hành Bộ Chỉ số và Quy định đánh giá, xếp loại",
                deadline="Quý II/2022",
            ),
            Task(
                "Kiểm tra việc thực hiện công tác cải cách hành chính, công vụ; đề xuất xử lý kịp thời, "
                "nghiêm minh đối với cán bộ, công chức, viên chức gây khó khăn, phiền hà cho tổ chức, "
                "cá nhân và doanh nghiệp",
                lead=NV,
                support=f"{VP}; {TTR}",
                product="Kế hoạch kiểm tra; Báo cáo kết quả kiểm tra",
                deadline="Quý II và Quý IV/2022",
                note="Kiểm tra đột xuất khi có phản ánh",
            ),
            Task(
                "Thực hiện công tác tuyên truyền về mục đích, ý nghĩa, nội dung, chủ trương chính sách "
                "liên quan đến công tác cải cách hành chính",
                lead=VHTT,
                support=f"{NV}\n{TTVH}\n{XA}",
                product="Kế hoạch tuyên truyền cải cách hành chính năm 2022; tin, bài tuyên truyền",
                deadline="Thường xuyên",
            ),
            Task(
                "Cập nhật tin tức về công tác cải cách hành chính; đưa tin, bài viết trên sóng phát thanh "
                "của Đài Truyền thanh cấp huyện, cấp xã",
                lead=TTVH,
                support=LIEN_QUAN,
                product="Tin, bài, chuyên mục cải cách hành chính trên sóng phát thanh",
                deadline="Hằng tháng",
            ),
            Task(
                "Xây dựng kế hoạch và tổ chức các lớp tập huấn, Hội thi chuyên đề (nếu có) về công tác "
                "cải cách hành chính trên địa bàn huyện",
                lead=NV,
                support=f"{VHTT}\n{VP}",
                product="Kế hoạch tập huấn; lớp tập huấn, Hội thi được tổ chức",
                deadline="Quý III/2022",
            ),
            Task(
                "Thực hiện chế độ thông tin, báo cáo định kỳ về tình hình, kết quả thực hiện công tác "
                "cải cách hành chính về Ủy ban nhân dân huyện (thông qua Phòng Nội vụ)",
                lead=f"Các cơ quan, ban, ngành huyện\n{XA}",
                support="",
                product="Báo cáo cải cách hành chính quý, 6 tháng, năm",
                deadline="Hằng quý",
                note="Theo thời hạn tại văn bản yêu cầu của UBND huyện",
            ),
            Task(
                "Tổng hợp, tham mưu Ủy ban nhân dân huyện báo cáo công tác cải cách hành chính "
                "trên địa bàn huyện theo quy định",
                lead=NV,
                support=LIEN_QUAN,
                product="Báo cáo cải cách hành chính của UBND huyện gửi Sở Nội vụ",
                deadline="Hằng quý",
                note="Báo cáo quý, 6 tháng, năm",
            ),
            Task(
                "Triển khai đánh giá việc thực hiện công tác cải cách hành chính đối với từng cơ quan, "
                "đơn vị trên địa bàn huyện để làm căn cứ xét khen thưởng hằng năm",
                lead=NV,
                support=f"{PHONG}; {XA}",
                product="Quyết định công bố kết quả xếp loại cải cách hành chính năm 2022; đề nghị khen thưởng",
                deadline="Trước ngày 15/12/2022",
            ),
        ),
    ),
    Area(
        "II",
        "Cải cách thể chế",
        (
            Task(
                "Tiếp tục nâng cao chất lượng xây dựng và ban hành văn bản quy phạm pháp luật trên địa bàn "
                "huyện; đẩy mạnh ứng dụng công nghệ thông tin vào hoạt động xây dựng và tổ chức thi hành "
                "pháp luật đảm bảo tính kết nối, liên thông và hiệu quả",
                lead=TP,
                support=f"{PHONG}; {VHTT}",
                product="Văn bản quy phạm pháp luật được ban hành đúng trình tự, thủ tục",
                deadline="Thường xuyên",
            ),
            Task(
                "Thường xuyên rà soát, hệ thống hóa văn bản quy phạm pháp luật; kịp thời kiến nghị sửa đổi, "
                "bổ sung, thay thế hoặc ban hành mới văn bản phục vụ yêu cầu quản lý nhà nước, "
                "phù hợp với tình hình thực tiễn",
                lead=TP,
                support=f"{PHONG}\n{XA}",
                product="Báo cáo kết quả rà soát, hệ thống hóa; Quyết định công bố danh mục văn bản hết hiệu lực",
                deadline="Quý IV/2022",
            ),
            Task(
                "Tăng cường công tác kiểm tra, theo dõi tình hình thi hành pháp luật trên địa bàn huyện; "
                "khắc phục những hạn chế, thiếu sót trong việc chuẩn bị, soạn thảo các văn bản; "
                "đề cao trách nhiệm của từng cơ quan, đơn vị trong quá trình xây dựng thể chế",
                lead=TP,
                support=LIEN_QUAN,
                product="Kế hoạch theo dõi tình hình thi hành pháp luật năm 2022; Báo cáo 6 tháng, năm",
                deadline="Tháng 6 và tháng 12/2022",
            ),
            Task(
                "Tăng cường kiểm tra việc thi hành pháp luật; phát hiện và xử lý kịp thời các hành vi "
                "vi phạm pháp luật",
                lead=TP,
                support=f"{TTR}; {PHONG}",
                product="Kết luận kiểm tra; văn bản xử lý vi phạm (nếu có)",
                deadline="Quý II và Quý IV/2022",
            ),
            Task(
                "Nâng cao năng lực phản ứng chính sách trong quá trình thi hành pháp luật, đặc biệt là "
                "việc tiếp nhận, xử lý phản ánh, kiến nghị của người dân và doanh nghiệp",
                lead=TP,
                support=f"{VP}; {LIEN_QUAN}",
                product="Báo cáo kết quả tiếp nhận, xử lý phản ánh, kiến nghị về chính sách",
                deadline="Thường xuyên",
            ),
        ),
    ),
    Area(
        "III",
        "Cải cách thủ tục hành chính",
        (
            Task(
                "Xây dựng, ban hành đầy đủ, kịp thời các Kế hoạch thực hiện công tác kiểm soát thủ tục "
                "hành chính và việc thực hiện cơ chế một cửa, một cửa liên thông năm 2022",
                lead=VP,
                support=f"{NV}; {PHONG}",
                product="Kế hoạch kiểm soát thủ tục hành chính; Kế hoạch thực hiện cơ chế một cửa, "
                "một cửa liên thông năm 2022",
                deadline="Quý I/2022",
            ),
            Task(
                "Rà soát, đề xuất cắt giảm, đơn giản hóa những thủ tục không cần thiết, mâu thuẫn, "
                "chồng chéo; kiến nghị cấp có thẩm quyền bãi bỏ, cắt giảm, đơn giản hóa những quy định "
                "không hợp lý, rườm rà gây khó khăn cho người dân và tổ chức",
                lead=VP,
                support=f"{PHONG}\n{XA}",
                product="Báo cáo kết quả rà soát; phương án đơn giản hóa thủ tục hành chính",
                deadline="Chậm nhất ngày 30/09/2022",
            ),
            Task(
                "Tăng cường tiếp nhận, xử lý phản ánh, kiến nghị của người dân và doanh nghiệp bằng cách "
                "đa dạng hóa các kênh tương tác; công khai kết quả xử lý phản ánh, kiến nghị về quy định "
                "hành chính, thủ tục hành chính",
                lead=VP,
                support=LIEN_QUAN,
                product="Báo cáo kết quả tiếp nhận, xử lý phản ánh, kiến nghị",
                deadline="Hằng quý",
            ),
            Task(
                "Niêm yết công khai thủ tục hành chính; tiếp nhận và tham mưu xử lý vướng mắc của công dân "
                "và doanh nghiệp về thủ tục hành chính theo thẩm quyền cấp huyện",
                lead=VP,
                support=PHONG,
                product="Thủ tục hành chính được niêm yết tại Bộ phận tiếp nhận và trả kết quả, "
                "trên Cổng thông tin điện tử huyện",
                deadline="Thường xuyên",
                note="Cập nhật ngay khi có Quyết định công bố thủ tục hành chính mới",
            ),
            Task(
                "Theo dõi, quản lý Bộ phận tiếp nhận và trả kết quả cấp huyện, cấp xã; triển khai giải quyết "
                "hồ sơ trực tuyến, dịch vụ công trực tuyến mức độ 3 và mức độ 4",
                lead=VP,
                support=f"{VHTT}; {XA}",
                product="Báo cáo tình hình tiếp nhận, giải quyết hồ sơ thủ tục hành chính",
                deadline="Hằng tháng",
            ),
            Task(
                "Tham mưu bố trí nguồn kinh phí đầu tư trang thiết bị làm việc cho Bộ phận tiếp nhận "
                "và trả kết quả, nhất là đối với Ủy ban nhân dân cấp xã",
                lead=TCKH,
                support=f"{VP}; {XA}",
                product="Tờ trình, Quyết định bố trí kinh phí",
                deadline="6 tháng đầu năm",
            ),
        ),
    ),
    Area(
        "IV",
        "Cải cách tổ chức bộ máy",
        (
            Task(
                "Tiếp tục rà soát, sắp xếp, tinh gọn tổ chức các cơ quan, đơn vị, giảm đầu mối tổ chức "
                "trung gian, khắc phục triệt để sự trùng lắp, chồng chéo chức năng, nhiệm vụ",
                lead=NV,
                support=f"{PHONG}; {LIEN_QUAN}",
                product="Báo cáo kết quả rà soát; Đề án, Tờ trình sắp xếp tổ chức bộ máy",
                deadline="Năm 2022",
            ),
            Task(
                "Tổ chức sắp xếp, kiện toàn các cơ quan trong bộ máy hành chính nhà nước, "
                "đơn vị sự nghiệp công lập đảm bảo đúng theo quy định",
                lead=NV,
                support=LIEN_QUAN,
                product="Quyết định kiện toàn; quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức",
                deadline="Quý II/2022",
            ),
        ),
    ),
    Area(
        "V",
        "Cải cách công vụ",
        (
            Task(
                "Hoàn thiện các quy định về điều kiện, tiêu chuẩn, quy trình tuyển dụng, bổ nhiệm, "
                "luân chuyển cán bộ, công chức, viên chức theo phân cấp",
                lead=NV,
                support=PHONG,
                product="Văn bản quy định, hướng dẫn về tuyển dụng, bổ nhiệm, luân chuyển",
                deadline="6 tháng đầu năm",
            ),
            Task(
                "Cơ cấu, sắp xếp lại đội ngũ cán bộ, công chức, viên chức theo vị trí việc làm, "
                "khung năng lực, bảo đảm đúng người, đúng việc, nâng cao chất lượng, hợp lý về cơ cấu",
                lead=NV,
                support=TAT_CA,
                product="Đề án vị trí việc làm được điều chỉnh, phê duyệt",
                deadline="Năm 2022",
            ),
            Task(
                "Đổi mới phương pháp, quy trình đánh giá phân loại cán bộ, công chức, viên chức theo hướng "
                "dân chủ, công khai, minh bạch, lượng hóa các tiêu chí đánh giá và đề cao trách nhiệm "
                "người đứng đầu",
                lead=NV,
                support="Các cơ quan, đơn vị",
                product="Kết quả đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm 2022",
                deadline="Tháng 12/2022",
            ),
            Task(
                "Đổi mới nội dung, phương pháp đào tạo, bồi dưỡng, cập nhật kiến thức cho cán bộ, "
                "công chức, viên chức; rà soát, sửa đổi, bổ sung khung chương trình bồi dưỡng "
                "kiến thức quản lý nhà nước",
                lead=NV,
                support=f"{PHONG}; {XA}",
                product="Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm 2022; lớp bồi dưỡng",
                deadline="Năm 2022",
            ),
            Task(
                "Đổi mới cơ chế quản lý và chế độ, chính sách đối với đội ngũ cán bộ, công chức ở xã, "
                "thị trấn và những người hoạt động không chuyên trách",
                lead=NV,
                support=f"{TCKH}; {XA}",
                product="Văn bản triển khai chế độ, chính sách đối với cán bộ, công chức cấp xã "
                "và người hoạt động không chuyên trách",
                deadline="Năm 2022",
            ),
            Task(
                "Kiểm tra, giám sát tinh thần trách nhiệm, thái độ của cán bộ, công chức, "
                "viên chức trong thực thi công vụ tại các cơ quan chuyên môn, đơn vị sự nghiệp "
                "và UBND các xã, thị trấn",
                lead=NV,
                support=f"{VP}; {TTR}",
                product="Báo cáo kết quả kiểm tra công vụ",
                deadline="Thường xuyên",
                note="Kết hợp kiểm tra đột xuất",
            ),
        ),
    ),
    Area(
        "VI",
        "Cải cách tài chính công",
        (
            Task(
                "Tiếp tục nâng cao hiệu quả thực hiện cơ chế tự chủ theo Nghị định số 130/2005/NĐ-CP, "
                "Nghị định số 117/2013/NĐ-CP đối với cơ quan hành chính nhà nước và Nghị định số "
                "60/2021/NĐ-CP về cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập",
                lead=TCKH,
                support=f"{NV}; {LIEN_QUAN}",
                product="Văn bản hướng dẫn lập dự toán, thực hiện cơ chế tự chủ; Báo cáo kết quả thực hiện",
                deadline="Định kỳ 6 tháng, năm",
            ),
            Task(
                "Thực hiện công khai ngân sách theo Thông tư số 61/2017/TT-BTC, Thông tư số 90/2018/TT-BTC "
                "và Thông tư số 343/2016/TT-BTC; xét duyệt, thẩm định, thông báo và tổng hợp quyết toán năm "
                "theo Thông tư số 137/2017/TT-BTC",
                lead=TCKH,
                support=TAT_CA,
                product="Quyết định công bố công khai ngân sách; Thông báo xét duyệt, thẩm định quyết toán năm",
                deadline="Hằng quý",
            ),
        ),
    ),
    Area(
        "VII",
        "Xây dựng và phát triển Chính quyền điện tử",
        (
            Task(
                "Xây dựng, ban hành Kế hoạch Xây dựng Chính quyền điện tử, đô thị thông minh và chuyển đổi số năm 2022",
                lead=VHTT,
                support=f"{VP}; {NV}; {LIEN_QUAN}",
                product="Kế hoạch xây dựng Chính quyền điện tử, đô thị thông minh và chuyển đổi số năm 2022",
                deadline="Quý I/2022",
            ),
            Task(
                "Triển khai Bộ chỉ số chấm điểm ứng dụng công nghệ thông tin, chuyển đổi số cho "
                "các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn",
                lead=VHTT,
                support=f"{NV}; {XA}",
                product="Văn bản triển khai Bộ chỉ số; hướng dẫn tự chấm điểm",
                deadline="6 tháng đầu năm",
            ),
            Task(
                "Tổ chức tập huấn về Chuyển đổi số cho cán bộ phụ trách Công nghệ thông tin",
                lead=VHTT,
                support=f"{NV}\n{TTVH}",
                product="Lớp tập huấn về chuyển đổi số",
                deadline="Quý II/2022",
            ),
            Task(
                "Triển khai những nội dung thực hiện năm 2022 của các Kế hoạch: Kế hoạch số 78/KH-UBND "
                "ngày 27/4/2021 về xây dựng Chính quyền điện tử, đô thị thông minh và chuyển đổi số tỉnh "
                "Hậu Giang giai đoạn 2021 - 2025; Kế hoạch số 149/KH-UBND ngày 06/8/2021 của UBND tỉnh "
                "triển khai Quyết định số 135/QĐ-TTg của Thủ tướng Chính phủ; Kế hoạch thực hiện chiến lược "
                "phát triển Chính phủ điện tử hướng tới Chính phủ số giai đoạn 2021 - 2025, định hướng đến "
                "năm 2030; Kế hoạch phát triển doanh nghiệp công nghệ số tỉnh Hậu Giang giai đoạn "
                "2021 - 2025 và định hướng năm 2030",
                lead=VHTT,
                support=TAT_CA,
                product="Báo cáo kết quả thực hiện",
                deadline="Năm 2022",
            ),
            Task(
                "Ứng dụng mạnh mẽ, hiệu quả các công nghệ số mới như điện toán đám mây (Cloud), "
                "dữ liệu lớn (Big Data), di động, internet vạn vật (IoT), trí tuệ nhân tạo (AI), "
                "chuỗi khối (Blockchain), "
                "mạng xã hội trong xây dựng, triển khai các ứng dụng, dịch vụ tại huyện",
                lead=VHTT,
                support=LIEN_QUAN,
                product="Ứng dụng, dịch vụ số được triển khai tại huyện",
                deadline="Năm 2022",
            ),
            Task(
                "Thường xuyên theo dõi, đôn đốc tiến độ việc xây dựng, áp dụng, duy trì và cải tiến "
                "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 của các cơ quan, "
                "đơn vị",
                lead=VP,
                support=f"{NV}\n{PHONG}\n{XA}",
                product="Báo cáo tình hình áp dụng, duy trì Hệ thống quản lý chất lượng",
                deadline="Định kỳ 6 tháng, năm",
            ),
            Task(
                "Kiểm tra việc thực hiện Hệ thống quản lý chất lượng theo tiêu chuẩn TCVN ISO 9001:2015 "
                "tại các cơ quan hành chính nhà nước và Ủy ban nhân dân các xã, thị trấn",
                lead=VP,
                support=f"{NV}; {XA}",
                product="Kế hoạch kiểm tra; Báo cáo kết quả kiểm tra",
                deadline="Quý IV/2022",
            ),
            Task(
                "Đề xuất giải pháp đẩy mạnh ứng dụng công nghệ thông tin trong cải cách hành chính; "
                "tổ chức kiểm tra việc ứng dụng công nghệ thông tin tại các cơ quan hành chính",
                lead=VHTT,
                support=f"{NV}; {LIEN_QUAN}",
                product="Báo cáo kết quả kiểm tra ứng dụng công nghệ thông tin",
                deadline="Quý III/2022",
            ),
            Task(
                "Đánh giá, xếp hạng ứng dụng công nghệ thông tin của các cơ quan, đơn vị để làm tiêu chí "
                "thi đua, đánh giá công tác cải cách hành chính",
                lead=VHTT,
                support=NV,
                product="Kết quả đánh giá, xếp hạng ứng dụng công nghệ thông tin năm 2022",
                deadline="Chậm nhất ngày 30/11/2022",
                note="Làm căn cứ xếp loại cải cách hành chính năm 2022",
            ),
        ),
    ),
)

TITLE_LINES = (
    "PHỤ LỤC",
    "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2022",
    "(Kèm theo Kế hoạch số …/KH-UBND ngày …/…/2022 của Ủy ban nhân dân huyện Long Mỹ)",
)
FOOT_NOTE = (
    "Ghi chú: Cơ quan chủ trì có trách nhiệm tổ chức thực hiện nhiệm vụ đúng thời hạn và báo cáo kết quả "
    "về Ủy ban nhân dân huyện (thông qua Phòng Nội vụ) để tổng hợp, theo dõi."
)
CSV_HEADER = ("STT", "Nội dung", "Chủ trì", "Phối hợp", "Sản phẩm", "Thời hạn", "Ghi chú")
COLUMN_WIDTHS = (7, 58, 24, 30, 30, 18, 18)  # A..G
FONT = "Times New Roman"


# ---------------------------------------------------------------- checks


def registry_keys(path: Path) -> set[str]:
    """Matching keys of every unit and group name and alias in units.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    keys: set[str] = set()
    for entry in [*data["units"], *data["groups"]]:
        keys.update(match_key(name) for name in [entry["name"], *entry.get("aliases", [])])
    return keys


def unknown_units(cell: str, known: set[str]) -> list[str]:
    """Parts of a Chủ trì/Phối hợp cell that name no registered unit or group.

    Parts are split on ";" and line breaks; a part that is not a name itself is split again on commas.
    """
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]", cell))):
        if match_key(part) in known:
            continue
        unknown.extend(p for p in (q.strip() for q in part.split(",")) if match_key(p) not in known)
    return unknown


def check(areas: tuple[Area, ...]) -> None:
    known = registry_keys(UNITS)
    problems: list[str] = []
    for area in areas:
        for number, task in enumerate(area.tasks, start=1):
            where = f"{area.numeral}.{number}"
            if not (task.content and task.lead and task.product and task.deadline):
                problems.append(f"{where}: empty content, lead, product or deadline")
            for cell in (task.lead, task.support):
                problems.extend(f"{where}: unknown unit {name!r}" for name in unknown_units(cell, known))
    if problems:
        raise SystemExit("\n".join(problems))


# ---------------------------------------------------------------- rows


def table_rows(areas: tuple[Area, ...]) -> list[tuple[str | int, ...]]:
    """Area rows and task rows in table order: (STT, content, lead, support, product, deadline, note)."""
    rows: list[tuple[str | int, ...]] = []
    for area in areas:
        rows.append((area.numeral, area.title, "", "", "", "", ""))
        for number, t in enumerate(area.tasks, start=1):
            rows.append((number, t.content, t.lead, t.support, t.product, t.deadline, t.note))
    return rows


def write_csv(areas: tuple[Area, ...], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        writer.writerows(table_rows(areas))


# ---------------------------------------------------------------- xlsx

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
JUSTIFY = Alignment(horizontal="justify", vertical="center", wrap_text=True)


def _style(
    ws: Worksheet,
    row: int,
    col: int,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 12,
    align: Alignment = CENTER,
    border: bool = True,
) -> None:
    cell = ws.cell(row=row, column=col)
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    cell.alignment = align
    if border:
        cell.border = BORDER


def write_xlsx(areas: tuple[Area, ...], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Phụ lục"
    ncols = len(COLUMN_WIDTHS)
    last = get_column_letter(ncols)

    # Title rows 1-3, blank row 4.
    for row, text in enumerate(TITLE_LINES, start=1):
        ws.cell(row=row, column=1, value=text)
        ws.merge_cells(f"A{row}:{last}{row}")
        _style(ws, row, 1, bold=row < 3, italic=row == 3, size=13, border=False)

    # Two-row header (5-6) with merged cells, numbering row 7.
    head, sub, numbering = 5, 6, 7
    header = {1: "STT", 2: "Nội dung nhiệm vụ", 5: "Sản phẩm", 6: "Thời gian hoàn thành", 7: "Ghi chú"}
    for col, text in header.items():
        ws.cell(row=head, column=col, value=text)
        ws.merge_cells(start_row=head, start_column=col, end_row=sub, end_column=col)
    ws.cell(row=head, column=3, value="Cơ quan thực hiện")
    ws.merge_cells(start_row=head, start_column=3, end_row=head, end_column=4)
    ws.cell(row=sub, column=3, value="Chủ trì")
    ws.cell(row=sub, column=4, value="Phối hợp")
    for col in range(1, ncols + 1):
        ws.cell(row=numbering, column=col, value=f"({col})")
        for row in (head, sub):
            _style(ws, row, col, bold=True, size=13)
        _style(ws, numbering, col, italic=True)

    # Area and task rows.
    row = numbering
    for values in table_rows(areas):
        row += 1
        is_area = isinstance(values[0], str)
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value or None)
            align = JUSTIFY if col == 2 else (LEFT if col == 4 and not is_area else CENTER)
            _style(ws, row, col, bold=is_area and col <= 2, align=align)
    last_table_row = row

    # Note row and a blank row after the table.
    note_row = last_table_row + 1
    ws.cell(row=note_row, column=1, value=FOOT_NOTE)
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    _style(ws, note_row, 1, italic=True, align=LEFT, border=False)
    ws.row_dimensions[note_row].height = 36
    ws.row_dimensions[note_row + 1].height = 16  # the blank row, kept in the file

    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{numbering + 1}"
    ws.print_title_rows = f"{head}:{numbering}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = "Phụ lục nhiệm vụ cải cách hành chính năm 2022 - huyện Long Mỹ"
    wb.properties.creator = "dondoc (tái dựng từ nội dung Kế hoạch)"
    wb.save(path)


def main() -> None:
    check(AREAS)
    write_xlsx(AREAS, XLSX)
    write_csv(AREAS, CSV)
    counts = ", ".join(f"{a.numeral}: {len(a.tasks)}" for a in AREAS)
    total = sum(len(a.tasks) for a in AREAS)
    print(f"wrote {XLSX.name} and {CSV.name}: {total} tasks ({counts})")


if __name__ == "__main__":
    main()
