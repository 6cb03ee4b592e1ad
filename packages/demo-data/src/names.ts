// Common Vietnamese family, middle and given names, and streets of the seed areas (NFC).
export const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Trương', 'Đinh', 'Lâm', 'Mai'];
export const MIDDLE_MALE = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Công', 'Hoàng', 'Gia', 'Xuân'];
export const MIDDLE_FEMALE = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Minh', 'Bích', 'Mỹ', 'Hồng', 'Thùy'];
export const GIVEN_MALE = ['An', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hải', 'Hiếu', 'Hòa', 'Hùng', 'Huy', 'Khánh', 'Khoa', 'Long', 'Lộc', 'Nam', 'Nghĩa', 'Phúc', 'Quân', 'Sơn', 'Tài', 'Thắng', 'Thành', 'Trung', 'Tuấn', 'Việt', 'Vinh'];
export const GIVEN_FEMALE = ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hiền', 'Hoa', 'Hương', 'Lan', 'Liên', 'Linh', 'Loan', 'Mai', 'My', 'Nga', 'Ngân', 'Nhung', 'Oanh', 'Phương', 'Quỳnh', 'Thảo', 'Thủy', 'Trang', 'Vân', 'Yến'];
export const STREETS: Record<string, string[]> = {
  '775': ['Hậu Giang', 'Kinh Dương Vương', 'Hồng Bàng', 'Minh Phụng', 'Bình Tiên', 'Lò Gốm', 'Văn Thân', 'Bà Hom', 'Tân Hòa Đông', 'Phạm Văn Chí', 'Bãi Sậy', 'Chợ Lớn'],
  '306': ['Lê Hồng Phong', 'Ngô Gia Tự', 'Cát Bi', 'Đằng Hải', 'Văn Cao', 'Thành Tô', 'Tràng Cát', 'Nam Hải'],
  '001': ['Đội Cấn', 'Kim Mã', 'Giảng Võ', 'Liễu Giai', 'Hoàng Hoa Thám', 'Ngọc Hà', 'Phúc Xá', 'Thành Công'],
  '268': ['Quang Trung', 'Trần Phú', 'Tô Hiệu', 'Lê Trọng Tấn', 'Vạn Phúc', 'Ba La', 'Phú Lãm', 'Yên Nghĩa'],
};
