// Text placed inside HTML or XML: the characters that would end or open markup become
// references, so a body, a name or an error message from outside cannot inject any.
#pragma once

#include <string>
#include <string_view>

namespace pistesim {

// & < > " ' as &amp; &lt; &gt; &quot; &#39; (safe in element text and in quoted attributes).
std::string html_escape(std::string_view s);

}  // namespace pistesim
