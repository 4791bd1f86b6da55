# Parses a Homebrew formula with Ruby's own parser (Ripper) and prints its structure as JSON for
# test/unit/homebrew-formula.test.ts: the class, its comments, and every call, block and method
# definition with literal arguments. Nothing in the formula is executed.
require "json"
require "ripper"

source = File.read(ARGV.fetch(0))
sexp = Ripper.sexp(source) or abort("syntax error")

def ident(node)
  node.is_a?(Array) && node[0].is_a?(Symbol) && node[0].to_s.start_with?("@") ? node[1] : nil
end

# Identifiers used anywhere below node (for expressions that are not literals).
def names(node, acc = [])
  return acc unless node.is_a?(Array)
  acc << node[1] if [:@ident, :@const].include?(node[0])
  node.each { |child| names(child, acc) }
  acc
end

def value(node)
  case node[0]
  when :string_literal
    parts = node[1][1..]
    if parts.all? { |p| p[0] == :@tstring_content }
      { "str" => parts.map { |p| p[1] }.join }
    else
      { "dstr" => names(node) }
    end
  when :symbol_literal then { "sym" => ident(node[1][1]) }
  when :bare_assoc_hash, :hash
    pairs = node[0] == :hash ? node[1][1] : node[1]
    { "hash" => pairs.to_h { |(_, k, v)| [k[1].delete_suffix(":"), value(v)] } }
  else { "expr" => names(node) }
  end
end

def args(node)
  return [] if node.nil?
  node = node[1] if node[0] == :arg_paren
  return [] if node.nil?
  list = node[0] == :args_add_block ? node[1] : node
  list.map { |a| value(a) }
end

def stmts(body)
  list = body[0] == :bodystmt ? body[1] : body
  list.filter_map { |s| stmt(s) }
end

def stmt(node)
  case node[0]
  when :command
    { "kind" => "call", "name" => node[1][1], "line" => node[1][2][0], "args" => args(node[2]) }
  when :vcall, :fcall
    { "kind" => "call", "name" => node[1][1], "line" => node[1][2][0], "args" => [] }
  when :method_add_arg
    call = stmt(node[1]) or return nil
    call.merge("args" => args(node[2]))
  when :method_add_block
    call = stmt(node[1]) or return nil
    block = node[2]
    body = block[0] == :do_block ? block[2] : block[2]
    call.merge("kind" => "block", "children" => body ? stmts(body) : [], "empty" => body.nil? || stmts(body).empty?)
  when :def
    { "kind" => "def", "name" => node[1][1], "line" => node[1][2][0], "children" => stmts(node[3]) }
  when :command_call, :call
    { "kind" => "expr", "name" => names(node).join("."), "line" => 0, "args" => [] }
  end
end

klass = sexp[1].find { |n| n[0] == :class } or abort("no class")
comments = Ripper.lex(source).select { |(_, type)| type == :on_comment }.map { |(_, _, text)| text.strip }
puts JSON.generate(
  "class" => klass[1][1][1],
  "superclass" => klass[2][1][1],
  "classLine" => source.lines.find { |l| l.start_with?("class ") }&.chomp,
  "comments" => comments,
  "body" => stmts(klass[3]),
)
