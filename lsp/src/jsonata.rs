//! JSONata's own function library, as Step Functions offers it inside `{% %}`: every built-in
//! function of the JSONata 2.0.6 specification except `$eval` (Step Functions has `$parse`
//! instead), and without `$random`, which Step Functions replaces with its seeded version (in
//! [`crate::docs::JSONATA_FUNCTIONS`]).

/// A built-in function: its name, its signature (`?` marks an optional argument) and what it does.
pub struct Builtin {
    /// The name, `$` included.
    pub name: &'static str,
    /// How it is called.
    pub signature: &'static str,
    /// One line on what it returns.
    pub doc: &'static str,
}

/// The library, one function a line, `signature | what it returns`, grouped as JSONata's
/// documentation groups it: string, numeric, aggregation, Boolean, array, object, date/time and
/// higher-order functions.
const LIBRARY: &str = "\
$string(arg, prettify?) | arg as a string; objects and arrays as JSON text (indented when prettify is true).
$length(str) | The number of characters in str.
$substring(str, start, length?) | The characters of str from start (negative: from the end), at most length of them.
$substringBefore(str, chars) | The part of str before the first occurrence of chars (all of str when absent).
$substringAfter(str, chars) | The part of str after the first occurrence of chars (all of str when absent).
$uppercase(str) | str in upper case.
$lowercase(str) | str in lower case.
$trim(str) | str with whitespace runs collapsed to one space and none at either end.
$pad(str, width, char?) | str padded with char (a space by default) to width: on the right, or the left when width is negative.
$contains(str, pattern) | Whether str contains pattern (a string or a regular expression).
$split(str, separator, limit?) | The parts of str between separators (a string or a regular expression), at most limit of them.
$join(array, separator?) | The strings of array joined, with separator between them.
$match(str, pattern, limit?) | The matches of a regular expression in str: each match, index and groups.
$replace(str, pattern, replacement, limit?) | str with occurrences of pattern replaced (replacement may be a function of the match).
$base64encode(str) | The Base64 encoding of str.
$base64decode(str) | The string a Base64 text encodes.
$encodeUrlComponent(str) | str encoded as a URL component (as JavaScript's encodeURIComponent).
$encodeUrl(str) | str encoded as a full URL (as JavaScript's encodeURI).
$decodeUrlComponent(str) | A URL component decoded.
$decodeUrl(str) | A full URL decoded.
$number(arg) | arg as a number: a numeric string (decimal, hex, octal or binary) parsed, a Boolean as 0 or 1.
$abs(number) | The absolute value of number.
$floor(number) | number rounded down to an integer.
$ceil(number) | number rounded up to an integer.
$round(number, precision?) | number rounded half to even, to precision decimal places (0 by default).
$power(base, exponent) | base raised to exponent.
$sqrt(number) | The square root of number.
$formatNumber(number, picture, options?) | number as a string laid out by an XPath decimal-format picture such as '#,##0.00'.
$formatBase(number, radix?) | number written in radix 2 to 36 (10 by default).
$formatInteger(number, picture) | An integer as a string laid out by an XPath picture ('w' for words, 'I' for Roman numerals, '000').
$parseInteger(string, picture) | The integer a string laid out by an XPath picture stands for ($formatInteger reversed).
$sum(array) | The sum of the numbers in array.
$max(array) | The largest number in array.
$min(array) | The smallest number in array.
$average(array) | The mean of the numbers in array.
$boolean(arg) | arg as a Boolean: false for empty strings, 0, null, empty arrays and objects.
$not(arg) | The negation of arg as a Boolean.
$exists(arg) | Whether arg evaluates to a value (a missing path is false).
$count(array) | The number of items in array (1 for a single value).
$append(array1, array2) | array1 followed by the items of array2.
$sort(array, function?) | array sorted; function($l, $r) returns true when $l goes after $r.
$reverse(array) | array in reverse order.
$shuffle(array) | array in a random order.
$distinct(array) | array without duplicate values.
$zip(array1, array2, ...) | Arrays of the items at the same index of each array (as long as the shortest).
$keys(object) | The keys of object.
$lookup(object, key) | The value of key in object (in each object of an array).
$spread(object) | An array of one-member objects, one for each member of object.
$merge(array) | One object with the members of all the objects in array (later ones win).
$each(object, function) | The results of function($value, $key) for each member of object.
$sift(object, function) | The members of object for which function($value, $key) is true.
$error(message?) | Stops the evaluation with an error carrying message.
$assert(condition, message?) | Stops the evaluation with message when condition is false.
$type(value) | The type of value: 'null', 'number', 'string', 'boolean', 'array', 'object' or 'function'.
$now(picture?, timezone?) | The time the evaluation started, as an ISO 8601 timestamp (or laid out by picture).
$millis() | The time the evaluation started, in milliseconds since the Unix epoch.
$fromMillis(number, picture?, timezone?) | A timestamp string for milliseconds since the Unix epoch.
$toMillis(timestamp, picture?) | The milliseconds since the Unix epoch of a timestamp string.
$map(array, function) | The results of function($value, $index, $array) for each item of array.
$filter(array, function) | The items of array for which function($value, $index, $array) is true.
$single(array, function?) | The one item of array for which function is true; an error when there is not exactly one.
$reduce(array, function, init?) | array folded into one value by function($accumulator, $value), starting from init.
";

/// The built-in functions, in the library's order.
pub fn library() -> impl Iterator<Item = Builtin> {
    LIBRARY.lines().filter_map(|line| {
        let (signature, doc) = line.split_once(" | ")?;
        let name = &signature[..signature.find('(')?];
        Some(Builtin {
            name,
            signature,
            doc,
        })
    })
}

/// The built-in function called `name`.
pub fn builtin_named(name: &str) -> Option<Builtin> {
    library().find(|builtin| builtin.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_reads_every_line_has_no_eval_and_leaves_random_to_step_functions() {
        assert_eq!(library().count(), LIBRARY.lines().count());
        assert!(builtin_named("$eval").is_none());
        assert!(builtin_named("$random").is_none());
        let mut names: Vec<&str> = library().map(|b| b.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a function listed twice");
        let substring = builtin_named("$substring");
        assert_eq!(
            substring.map(|b| b.signature),
            Some("$substring(str, start, length?)")
        );
    }
}
