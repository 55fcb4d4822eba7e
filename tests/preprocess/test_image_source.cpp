// Image sources: folder order and filters (extensions, hidden files, recursion), zip member listing, list
// files, and the errors for missing paths, empty folders and missing listed files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "io/image_decode.h"
#include "io/image_source.h"
#include "io/zip_writer.h"

namespace fidcpp {
namespace {

namespace fs = std::filesystem;

const std::string kImages = std::string(FIDCPP_TEST_DATA_DIR) + "/images";

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = (fs::temp_directory_path() / ("fidcpp_src_" + std::to_string(::getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string touch(const std::string& rel, const std::string& content = "x") const {
    const fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::string path_;
};

std::vector<std::string> names_relative_to(const std::vector<std::string>& files, const std::string& root) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(fs::path(f).lexically_relative(root).generic_string());
  return out;
}

TEST(ImageSource, FolderIsSortedFilteredAndFlatByDefault) {
  TempDir t;
  for (const char* n :
       {"b.png", "a.JPG",       "B.png",     "z.Jpeg",     "c.txt",      "d.bmp",           "e.GIF",
        "f.ppm", "g.pgm",       "h.pnm",     "i.webp",     "j.TIF",      "k.tiff",          "l.tga",
        "noext", ".hidden.png", "sub/d.png", "sub/.e.png", ".hid/x.png", "sub/deeper/y.jpg"})
    t.touch(n);
  fs::create_directories(fs::path(t.path()) /
                         "folder.png");  // a folder with an image-like name is not a file
  auto flat = list_image_files(t.path());
  ASSERT_TRUE(flat.ok()) << flat.status().to_string();
  // Byte order: upper case before lower case.
  EXPECT_EQ(names_relative_to(*flat, t.path()),
            (std::vector<std::string>{"B.png", "a.JPG", "b.png", "d.bmp", "e.GIF", "f.ppm", "g.pgm", "h.pnm",
                                      "i.webp", "j.TIF", "k.tiff", "z.Jpeg"}));
  auto deep = list_image_files(t.path(), /*recursive=*/true);
  ASSERT_TRUE(deep.ok()) << deep.status().to_string();
  EXPECT_EQ(
      names_relative_to(*deep, t.path()),
      (std::vector<std::string>{"B.png", "a.JPG", "b.png", "d.bmp", "e.GIF", "f.ppm", "g.pgm", "h.pnm",
                                "i.webp", "j.TIF", "k.tiff", "sub/d.png", "sub/deeper/y.jpg", "z.Jpeg"}));
}

TEST(ImageSource, EmptyAndMissingSourcesAreErrors) {
  TempDir t;
  t.touch("readme.txt");
  t.touch("sub/a.png");
  auto empty = list_image_files(t.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);
  EXPECT_NE(empty.status().message().find(t.path()), std::string::npos) << empty.status().message();
  EXPECT_NE(empty.status().message().find(".png, .jpg, .jpeg"), std::string::npos)
      << empty.status().message();
  EXPECT_TRUE(list_image_files(t.path(), true).ok());  // the sub-folder's image counts when recursive

  const std::string missing = t.path() + "/nowhere";
  auto m = list_image_files(missing);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find(missing), std::string::npos);

  auto other = list_image_files(t.touch("data.csv"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
}

TEST(ImageSource, SingleImageFileIsItsOwnSource) {
  auto r = list_image_files(kImages + "/png_rgb.png");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, std::vector<std::string>{kImages + "/png_rgb.png"});
}

TEST(ImageSource, ZipMembersAreSortedAndDecodable) {
  const std::string zip = kImages + "/images.zip";
  auto r = list_image_files(zip);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r,
            (std::vector<std::string>{zip + "::B.PNG", zip + "::jpeg_gray.jpg", zip + "::sub/png_gray.png"}));
  for (const auto& f : *r) {
    auto img = decode_image_file(f);
    EXPECT_TRUE(img.ok()) << img.status().to_string();
  }
}

TEST(ImageSource, ZipWithoutImagesOrHiddenMembersOnly) {
  TempDir t;
  ZipWriter w;
  const std::string png = "\x89PNG";
  ASSERT_TRUE(w.add("notes.txt", reinterpret_cast<const uint8_t*>("hi"), 2, false).ok());
  ASSERT_TRUE(
      w.add("__MACOSX/._a.png", reinterpret_cast<const uint8_t*>(png.data()), png.size(), false).ok());
  ASSERT_TRUE(w.add(".git/b.png", reinterpret_cast<const uint8_t*>(png.data()), png.size(), false).ok());
  ASSERT_TRUE(w.add("dir.png/", nullptr, 0, false).ok());
  const std::vector<uint8_t> bytes = w.finish();
  const std::string path = t.path() + "/Archive.ZIP";
  ASSERT_TRUE(write_file_atomic(path, bytes.data(), bytes.size(), Overwrite::kAllow).ok());
  auto r = list_image_files(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Archive.ZIP"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("no images"), std::string::npos) << r.status().message();

  const std::string broken = t.touch("broken.zip", "PK not really");
  EXPECT_FALSE(list_image_files(broken).ok());
}

TEST(ImageSource, ListFileKeepsOrderAndResolvesRelativePaths) {
  auto r = list_image_files(kImages + "/images_list.txt");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, (std::vector<std::string>{kImages + "/png_rgb.png", kImages + "/jpeg_gray.jpg",
                                          kImages + "/bmp_rgb.bmp"}));
  for (const auto& f : *r) EXPECT_TRUE(decode_image_file(f).ok()) << f;
}

TEST(ImageSource, ListFileErrorsNameTheLine) {
  TempDir t;
  t.touch("a.png");
  const std::string zip = kImages + "/images.zip";
  const std::string list = t.touch("list.txt", "# header\r\na.png\r\n\n" + zip + "::B.PNG\nmissing.png\n");
  auto r = list_image_files(list);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("line 5"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("missing.png"), std::string::npos) << r.status().message();

  const std::string good = t.touch("good.txt", "a.png\n" + zip + "::B.PNG\n");
  auto g = list_image_files(good);
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(*g, (std::vector<std::string>{t.path() + "/a.png", zip + "::B.PNG"}));

  auto blank = list_image_files(t.touch("blank.txt", "\n# nothing\n  \n"));
  ASSERT_FALSE(blank.ok());
  EXPECT_NE(blank.status().message().find("lists no files"), std::string::npos);
}

TEST(ImageSource, ZipMemberPathSyntax) {
  std::string a, m;
  ASSERT_TRUE(split_zip_member_path("x/data.ZIP::dir/a::b.png", &a, &m));
  EXPECT_EQ(a, "x/data.ZIP");
  EXPECT_EQ(m, "dir/a::b.png");
  EXPECT_FALSE(split_zip_member_path("x/a::b.png", &a, &m));
  EXPECT_FALSE(split_zip_member_path("x/data.zip", &a, &m));
  EXPECT_TRUE(has_image_extension("A.JpEg"));
  EXPECT_FALSE(has_image_extension("a.png/readme"));
  EXPECT_FALSE(has_image_extension("png"));
}

}  // namespace
}  // namespace fidcpp
