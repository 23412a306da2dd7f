using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coala.ML.Evaluation;

/// <summary>What FSDD clips are labelled with.</summary>
public enum FsddTarget { Digit, Speaker }
