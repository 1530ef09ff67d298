#include "base/text.h"

#include <gtest/gtest.h>

namespace pistesim {
namespace {

TEST(Text, TrimBlanksTakesAsciiBlanksFromBothEnds) {
  EXPECT_EQ(trim_blanks(" \t\r\n value with  inner blanks \v\f"), "value with  inner blanks");
  EXPECT_EQ(trim_blanks("   "), "");
  EXPECT_EQ(trim_blanks(""), "");
  EXPECT_EQ(trim_blanks("x"), "x");
}

TEST(Text, TrimBlanksKeepsANonBreakingSpace) {
  EXPECT_EQ(trim_blanks("\xC2\xA0x "), "\xC2\xA0x");
}

TEST(Text, TrimTypedAlsoTakesNonBreakingSpacesMixedWithBlanks) {
  EXPECT_EQ(trim_typed(" \xC2\xA0 Motif\xC2\xA0: ok \xC2\xA0\t\xC2\xA0"), "Motif\xC2\xA0: ok");
  EXPECT_EQ(trim_typed("\xC2\xA0\xC2\xA0"), "");
  EXPECT_EQ(clean_field("  a@b.fr\t"), "a@b.fr");
}

TEST(Text, TrimTypedLeavesAnotherCharacterEndingInA0) {
  // « à » is C3 A0: its second byte alone is not a blank.
  EXPECT_EQ(trim_typed("voilà"), "voilà");
}

TEST(Text, CodePointsCountsCharactersNotBytes) {
  EXPECT_EQ(code_points("Données"), 7u);
  EXPECT_EQ(code_points("« § »"), 5u);
  EXPECT_EQ(code_points(""), 0u);
}

}  // namespace
}  // namespace pistesim
