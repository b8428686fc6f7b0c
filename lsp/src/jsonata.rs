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

const fn builtin(name: &'static str, signature: &'static str, doc: &'static str) -> Builtin {
    Builtin {
        name,
        signature,
        doc,
    }
}

/// The library, grouped as JSONata's documentation groups it: string, numeric, aggregation,
/// Boolean, array, object, date/time and higher-order functions.
pub const LIBRARY: &[Builtin] = &[
    builtin(
        "$string",
        "$string(arg, prettify?)",
        "arg as a string; objects and arrays as JSON text (indented when prettify is true).",
    ),
    builtin(
        "$length",
        "$length(str)",
        "The number of characters in str.",
    ),
    builtin(
        "$substring",
        "$substring(str, start, length?)",
        "The characters of str from start (negative: from the end), at most length of them.",
    ),
    builtin(
        "$substringBefore",
        "$substringBefore(str, chars)",
        "The part of str before the first occurrence of chars (all of str when absent).",
    ),
    builtin(
        "$substringAfter",
        "$substringAfter(str, chars)",
        "The part of str after the first occurrence of chars (all of str when absent).",
    ),
    builtin("$uppercase", "$uppercase(str)", "str in upper case."),
    builtin("$lowercase", "$lowercase(str)", "str in lower case."),
    builtin(
        "$trim",
        "$trim(str)",
        "str with whitespace runs collapsed to one space and none at either end.",
    ),
    builtin(
        "$pad",
        "$pad(str, width, char?)",
        "str padded with char (a space by default) to width: on the right, or the left when width is negative.",
    ),
    builtin(
        "$contains",
        "$contains(str, pattern)",
        "Whether str contains pattern (a string or a regular expression).",
    ),
    builtin(
        "$split",
        "$split(str, separator, limit?)",
        "The parts of str between separators (a string or a regular expression), at most limit of them.",
    ),
    builtin(
        "$join",
        "$join(array, separator?)",
        "The strings of array joined, with separator between them.",
    ),
    builtin(
        "$match",
        "$match(str, pattern, limit?)",
        "The matches of a regular expression in str: each match, index and groups.",
    ),
    builtin(
        "$replace",
        "$replace(str, pattern, replacement, limit?)",
        "str with occurrences of pattern replaced (replacement may be a function of the match).",
    ),
    builtin(
        "$base64encode",
        "$base64encode(str)",
        "The Base64 encoding of str.",
    ),
    builtin(
        "$base64decode",
        "$base64decode(str)",
        "The string a Base64 text encodes.",
    ),
    builtin(
        "$encodeUrlComponent",
        "$encodeUrlComponent(str)",
        "str encoded as a URL component (as JavaScript's encodeURIComponent).",
    ),
    builtin(
        "$encodeUrl",
        "$encodeUrl(str)",
        "str encoded as a full URL (as JavaScript's encodeURI).",
    ),
    builtin(
        "$decodeUrlComponent",
        "$decodeUrlComponent(str)",
        "A URL component decoded.",
    ),
    builtin("$decodeUrl", "$decodeUrl(str)", "A full URL decoded."),
    builtin(
        "$number",
        "$number(arg)",
        "arg as a number: a numeric string (decimal, hex, octal or binary) parsed, a Boolean as 0 or 1.",
    ),
    builtin("$abs", "$abs(number)", "The absolute value of number."),
    builtin(
        "$floor",
        "$floor(number)",
        "number rounded down to an integer.",
    ),
    builtin("$ceil", "$ceil(number)", "number rounded up to an integer."),
    builtin(
        "$round",
        "$round(number, precision?)",
        "number rounded half to even, to precision decimal places (0 by default).",
    ),
    builtin(
        "$power",
        "$power(base, exponent)",
        "base raised to exponent.",
    ),
    builtin("$sqrt", "$sqrt(number)", "The square root of number."),
    builtin(
        "$formatNumber",
        "$formatNumber(number, picture, options?)",
        "number as a string laid out by an XPath decimal-format picture such as '#,##0.00'.",
    ),
    builtin(
        "$formatBase",
        "$formatBase(number, radix?)",
        "number written in radix 2 to 36 (10 by default).",
    ),
    builtin(
        "$formatInteger",
        "$formatInteger(number, picture)",
        "An integer as a string laid out by an XPath picture ('w' for words, 'I' for Roman numerals, '000').",
    ),
    builtin(
        "$parseInteger",
        "$parseInteger(string, picture)",
        "The integer a string laid out by an XPath picture stands for ($formatInteger reversed).",
    ),
    builtin("$sum", "$sum(array)", "The sum of the numbers in array."),
    builtin("$max", "$max(array)", "The largest number in array."),
    builtin("$min", "$min(array)", "The smallest number in array."),
    builtin(
        "$average",
        "$average(array)",
        "The mean of the numbers in array.",
    ),
    builtin(
        "$boolean",
        "$boolean(arg)",
        "arg as a Boolean: false for empty strings, 0, null, empty arrays and objects.",
    ),
    builtin("$not", "$not(arg)", "The negation of arg as a Boolean."),
    builtin(
        "$exists",
        "$exists(arg)",
        "Whether arg evaluates to a value (a missing path is false).",
    ),
    builtin(
        "$count",
        "$count(array)",
        "The number of items in array (1 for a single value).",
    ),
    builtin(
        "$append",
        "$append(array1, array2)",
        "array1 followed by the items of array2.",
    ),
    builtin(
        "$sort",
        "$sort(array, function?)",
        "array sorted; function($l, $r) returns true when $l goes after $r.",
    ),
    builtin("$reverse", "$reverse(array)", "array in reverse order."),
    builtin("$shuffle", "$shuffle(array)", "array in a random order."),
    builtin(
        "$distinct",
        "$distinct(array)",
        "array without duplicate values.",
    ),
    builtin(
        "$zip",
        "$zip(array1, array2, ...)",
        "Arrays of the items at the same index of each array (as long as the shortest).",
    ),
    builtin("$keys", "$keys(object)", "The keys of object."),
    builtin(
        "$lookup",
        "$lookup(object, key)",
        "The value of key in object (in each object of an array).",
    ),
    builtin(
        "$spread",
        "$spread(object)",
        "An array of one-member objects, one for each member of object.",
    ),
    builtin(
        "$merge",
        "$merge(array)",
        "One object with the members of all the objects in array (later ones win).",
    ),
    builtin(
        "$each",
        "$each(object, function)",
        "The results of function($value, $key) for each member of object.",
    ),
    builtin(
        "$sift",
        "$sift(object, function)",
        "The members of object for which function($value, $key) is true.",
    ),
    builtin(
        "$error",
        "$error(message?)",
        "Stops the evaluation with an error carrying message.",
    ),
    builtin(
        "$assert",
        "$assert(condition, message?)",
        "Stops the evaluation with message when condition is false.",
    ),
    builtin(
        "$type",
        "$type(value)",
        "The type of value: 'null', 'number', 'string', 'boolean', 'array', 'object' or 'function'.",
    ),
    builtin(
        "$now",
        "$now(picture?, timezone?)",
        "The time the evaluation started, as an ISO 8601 timestamp (or laid out by picture).",
    ),
    builtin(
        "$millis",
        "$millis()",
        "The time the evaluation started, in milliseconds since the Unix epoch.",
    ),
    builtin(
        "$fromMillis",
        "$fromMillis(number, picture?, timezone?)",
        "A timestamp string for milliseconds since the Unix epoch.",
    ),
    builtin(
        "$toMillis",
        "$toMillis(timestamp, picture?)",
        "The milliseconds since the Unix epoch of a timestamp string.",
    ),
    builtin(
        "$map",
        "$map(array, function)",
        "The results of function($value, $index, $array) for each item of array.",
    ),
    builtin(
        "$filter",
        "$filter(array, function)",
        "The items of array for which function($value, $index, $array) is true.",
    ),
    builtin(
        "$single",
        "$single(array, function?)",
        "The one item of array for which function is true; an error when there is not exactly one.",
    ),
    builtin(
        "$reduce",
        "$reduce(array, function, init?)",
        "array folded into one value by function($accumulator, $value), starting from init.",
    ),
];

/// The built-in function called `name`.
pub fn builtin_named(name: &str) -> Option<&'static Builtin> {
    LIBRARY.iter().find(|builtin| builtin.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_has_no_eval_no_duplicates_and_step_functions_own_random() {
        assert!(builtin_named("$eval").is_none());
        assert!(builtin_named("$random").is_none());
        let mut names: Vec<&str> = LIBRARY.iter().map(|b| b.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
        for builtin in LIBRARY {
            assert!(
                builtin.signature.starts_with(&format!("{}(", builtin.name)),
                "{}",
                builtin.signature
            );
        }
    }
}
